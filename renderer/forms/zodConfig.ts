import { z } from 'zod';

/**
 * zod 4 probes `new Function` once to decide whether to compile fast parsers. Under the console's
 * CSP (`script-src 'self'`, no 'unsafe-eval') the probe is refused, and Chromium reports every
 * refusal as a CSP violation. The renderer therefore runs zod without code generation. Imported
 * first by every wizard module that loads a schema, so it runs before any schema parses (app/policy
 * parses its default policy when it is loaded).
 */
z.config({ jitless: true });
