import { z } from 'zod';

// zod compiles faster parsers with `new Function` where it can. The app's CSP forbids eval, and
// even zod's probe for it would be reported as a policy violation, so it is told not to try.
z.config({ jitless: true });
