/**
 * `npm run bench -- <name> [options]`: runs one benchmark. Without a name: `compare`, the full
 * side-by-side benchmark against the Python tools (docs/BENCHMARKS.md).
 *   compare  driftcatcher vs pandas, pyarrow, polars, DuckDB, Evidently (bench/compare.ts)
 *   baseline the streaming baseline vs the scan of the same file, polars + numpy and DuckDB (bench/baseline.ts)
 *   scan     in-process parse, binning-kernel and scan throughput (bench/scan.ts)
 *   parquet  a Parquet batch: driftcatcher's scan vs polars and DuckDB reading it (bench/parquet.ts)
 *   profile  the CLI scan under node --cpu-prof, top self-time functions (bench/profile.ts)
 *   report   a compare results file as Markdown (bench/report.ts)
 *   train    the random forest with 1 and 2 workers vs scikit-learn (bench/train.ts)
 *   kernels  the WASM histogram and CSV kernels against another revision's (bench/kernels.ts)
 *   sources  a 30-day window in DuckDB and PostgreSQL: histogram in the database vs rows pulled (bench/sources.ts)
 *   logs     check --from logs: over 2M JSON lines: another checkout's CLI vs this one's, 0 and 2 workers (bench/logs.ts)
 */
import { benchBaseline } from './baseline.js';
import { benchCompare } from './compare.js';
import { benchKernels } from './kernels.js';
import { benchParquet } from './parquet.js';
import { benchProfile } from './profile.js';
import { benchReport } from './report.js';
import { benchScan } from './scan.js';
import { benchTrain } from './train.js';
import { benchSources } from './sources.js';
import { benchLogs } from './logs.js';

const benches: Record<string, (args: string[]) => Promise<void>> = { compare: benchCompare, baseline: benchBaseline, scan: benchScan, parquet: benchParquet, profile: benchProfile, report: benchReport, train: benchTrain, kernels: benchKernels, sources: benchSources, logs: benchLogs };

const [name = 'compare', ...args] = process.argv.slice(2);
const bench = name.startsWith('--') ? benchCompare : benches[name];
if (!bench) {
  console.error(`unknown benchmark "${name}": expected one of ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
try {
  await bench(name.startsWith('--') ? [name, ...args] : args);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
