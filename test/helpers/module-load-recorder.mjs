// A module resolve hook for child processes: prints "LOADED <url>" to stdout for every module
// resolved from node_modules, so a test can tell whether (and when) a package was loaded.
// Use: node --import tsx --import ./test/helpers/module-load-recorder.mjs ...
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { writeSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        if (result.url.includes('/node_modules/')) writeSync(1, 'LOADED ' + result.url + '\\n');
        return result;
      }
    `),
);
