import { startTestServer } from '@tessera/server/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real server the React tests' auth clients talk to. */
    serverUrl: string;
  }
}

/**
 * Starts the real server once, in Node, outside the DOM environment the React tests run in (the
 * server's code expects Node's globals, not happy-dom's).
 */
export default async function setup(project: TestProject) {
  // On the origin it trusts (http://localhost:<port>), which the test page is then loaded from.
  const server = await startTestServer({ browserOrigin: true });
  project.provide('serverUrl', server.publicOrigin);
  return () => server.dispose();
}
