/** The line limit's error, the same for the header and data rows of every CSV path. */
import { InputError } from '../../util/index.js';

/**
 * A line longer than the limit (`maxLineBytes`, named as the option to raise). `column` is the
 * field that holds the first byte over the limit; `byteOffset` stands in for the line until the
 * range scanners locate it.
 */
export function lineTooLongError(file: string, what: 'header line' | 'line', maxLineBytes: number, where: { line?: number; byteOffset?: number; column?: string | number }): InputError {
  return new InputError(`${what} longer than ${maxLineBytes} bytes (the line limit)`, { file, ...where, option: 'maxLineBytes' });
}
