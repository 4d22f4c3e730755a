/**
 * JSON-lines prediction logs (engine/sources' `logs:` source): not a file format a check reads by
 * name, but a scan the workers run like a CSV file's (logs/scan.ts), with the sources' own reader
 * of a line (logs/record.ts) and a fast scanner for the common line shape (logs/fast.ts).
 * Registered in readers.ts as a unit scanner, so a worker finds it by its format's name.
 */
import { scanLogUnit, type LogRangeUnit } from './logs/scan.js';
import type { UnitScanner } from './types.js';

export const logsScanner = {
  format: 'logs' as const,
  scanUnit: scanLogUnit,
} satisfies UnitScanner<LogRangeUnit>;

export { planLogScan, type LogRangeUnit, type LogScanRequest } from './logs/scan.js';
export { nonFiniteText, parseLogRecord, parseLogTime, logNumber, type LogFields } from './logs/record.js';
