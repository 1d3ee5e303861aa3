/**
 * The sentences for why the sign-in page is showing, in a chunk of their own: most visits need
 * none of them (see `use-sign-in-reasons.ts`).
 */
export { describeProviderError } from './describe-provider-error';
export { describeSessionEnd } from './describe-session-end';
