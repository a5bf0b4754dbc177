// Records the modules a child process loads, so a test can tell whether (and when) a module was
// loaded: prints "LOADED <url>" to stdout for every file module, packages from node_modules and
// our own. ES modules as they resolve (a resolve hook); CommonJS ones (require) at exit, from
// require.cache, which the ES module hooks of Node 20 do not all see. A module may be printed twice.
// Use: node --import tsx --import ./test/helpers/module-load-recorder.mjs ...
import { writeSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { writeSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        if (result.url.startsWith('file:')) writeSync(1, 'LOADED ' + result.url + '\\n');
        return result;
      }
    `),
);

const required = createRequire(import.meta.url).cache;
process.on('exit', () => {
  for (const path of Object.keys(required)) writeSync(1, `LOADED ${pathToFileURL(path).href}\n`);
});
