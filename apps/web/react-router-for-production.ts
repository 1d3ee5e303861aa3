import { existsSync } from 'node:fs';
import type { Plugin } from 'vite';

/** What the plugin reads of `this.parse`'s ESTree answer. */
interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

const IN_REACT_ROUTER = /[\\/]node_modules[\\/]react-router[\\/]dist[\\/]/;
const DEVELOPMENT_BUILD = /([\\/]react-router[\\/]dist[\\/])development([\\/])/;

/**
 * React Router as a production build needs it; two gaps of its package (7.x), closed at build time:
 *
 * - Its `exports` name only `dist/development`, whose dev warnings stay on in production
 *   (remix-run/react-router#14102). The build takes the `dist/production` copy beside it, which
 *   differs in that flag alone.
 * - `Link.displayName = "Link"` and the like are statements of their own, which a bundler must
 *   keep, and with them every component or context they name: an app that never uses `NavLink`,
 *   `Form` or the data router's contexts ships them all (remix-run/react-router#14058, #15299).
 *   Each such pair becomes one pure expression, `var Link = (() => { …; named.displayName = "Link"; … })()`,
 *   kept exactly when `Link` is used.
 *
 * Either step leaves the code as it is if the package changes shape: the bundle grows back, and
 * the bench's sign-in page measurement shows it.
 */
export function reactRouterForProduction(): Plugin {
  return {
    name: 'tessera:react-router-for-production',
    apply: 'build',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (source !== 'react-router') return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved === null || !DEVELOPMENT_BUILD.test(resolved.id)) return resolved;
      const production = resolved.id.replace(DEVELOPMENT_BUILD, '$1production$2');
      return existsSync(production) ? { ...resolved, id: production } : resolved;
    },
    transform(code, id) {
      if (!IN_REACT_ROUTER.test(id) || !code.includes('.displayName = ')) return null;
      const program = this.parse(code) as unknown as { body: AstNode[] };
      const edits = namedInitializers(code, program.body);
      if (edits.length === 0) return null;
      let out = code;
      for (const edit of edits.sort((a, b) => b.start - a.start)) {
        out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
      }
      return { code: out, map: null };
    },
  };
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The edits that fold each top-level `X.displayName = "…";` into `var X = …;` as one pure expression. */
function namedInitializers(code: string, body: AstNode[]): Edit[] {
  const initializers = new Map<string, AstNode>();
  for (const statement of body) {
    const declarations = statement.type === 'VariableDeclaration' ? (statement.declarations as AstNode[]) : [];
    const [declaration] = declarations;
    if (declarations.length !== 1 || declaration === undefined || declaration.init == null) continue;
    const id = declaration.id as AstNode;
    if (id.type === 'Identifier') initializers.set(id.name as string, declaration.init as AstNode);
  }
  const edits: Edit[] = [];
  for (const statement of body) {
    const assignment = statement.type === 'ExpressionStatement' ? (statement.expression as AstNode) : null;
    if (assignment?.type !== 'AssignmentExpression' || assignment.operator !== '=') continue;
    const target = assignment.left as AstNode;
    const name = assignment.right as AstNode;
    if (target.type !== 'MemberExpression' || target.computed) continue;
    const object = target.object as AstNode;
    if (object.type !== 'Identifier' || (target.property as AstNode).name !== 'displayName') continue;
    if (name.type !== 'Literal' || typeof name.value !== 'string') continue;
    const init = initializers.get(object.name as string);
    // Only a name given right after its declaration, as React Router's build writes them.
    if (init === undefined || init.end > statement.start) continue;
    const value = code.slice(init.start, init.end);
    edits.push({
      start: init.start,
      end: init.end,
      text: `/* @__PURE__ */ (() => { const named = ${value}; named.displayName = ${JSON.stringify(name.value)}; return named; })()`,
    });
    edits.push({ start: statement.start, end: statement.end, text: '' });
  }
  return edits;
}
