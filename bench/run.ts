/** `npm run bench -- <name> [options]`: runs one benchmark (default: scan). */
import { benchScan } from './scan.js';

const benches: Record<string, (args: string[]) => Promise<void>> = { scan: benchScan };

const [name = 'scan', ...args] = process.argv.slice(2);
const bench = benches[name];
if (!bench) {
  console.error(`unknown benchmark "${name}": expected one of ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
await bench(args);
