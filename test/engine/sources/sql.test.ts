/** The generated SQL, per dialect: quoting, literals, the half-open window, the codes and the grouping sets. */
import { describe, expect, it } from 'vitest';
import { CODE, DUCKDB, POSTGRES, codeExpression, doubleLiteral, histogramQuery, histogramsFromRows, quoteIdent, tailsQuery, windowPredicate } from '../../../engine/sources/index.js';
import { countBatches } from '../../../engine/sources/index.js';

const window = { from: new Date('2026-03-01T00:00:00Z'), until: new Date('2026-03-02T00:00:00Z') };

describe('the SQL of a window', () => {
  it('quotes identifiers and writes doubles that parse back to the same double', () => {
    expect(quoteIdent('Fwd "Header" Length')).toBe('"Fwd ""Header"" Length"');
    expect(quoteIdent('serving.predictions', true)).toBe('"serving"."predictions"');
    expect(doubleLiteral(POSTGRES, 0.1 + 0.2)).toBe("CAST('0.30000000000000004' AS DOUBLE PRECISION)");
    expect(doubleLiteral(DUCKDB, -Infinity)).toBe("CAST('-Infinity' AS DOUBLE)");
    expect(doubleLiteral(DUCKDB, 1e-300)).toBe("CAST('1e-300' AS DOUBLE)");
  });

  it('selects the half-open window in UTC', () => {
    expect(windowPredicate(POSTGRES, 'ts', window)).toBe(`"ts" >= TIMESTAMPTZ '2026-03-01T00:00:00.000Z' AND "ts" < TIMESTAMPTZ '2026-03-02T00:00:00.000Z'`);
  });

  it('codes a value as its bin (width_bucket in PostgreSQL, a binary search in DuckDB) or a non-finite code', () => {
    const pg = codeExpression(POSTGRES, 'x', [1, 2, 3]);
    expect(pg).toContain(`WHEN CAST("x" AS DOUBLE PRECISION) = CAST('3' AS DOUBLE PRECISION) THEN ${CODE.lastEdge}`);
    expect(pg).toContain(`ELSE width_bucket(CAST("x" AS DOUBLE PRECISION), ARRAY[CAST('1' AS DOUBLE PRECISION), CAST('2' AS DOUBLE PRECISION), CAST('3' AS DOUBLE PRECISION)]) END`);
    const duck = codeExpression(DUCKDB, 'x', [1, 2, 3]);
    expect(duck).toContain(`IS NULL OR CAST("x" AS DOUBLE) = CAST('NaN' AS DOUBLE) THEN ${CODE.nan}`);
    expect((duck.match(/CASE WHEN CAST\("x" AS DOUBLE\) </g) ?? []).length).toBe(3);
    const query = histogramQuery(DUCKDB, '"t"', 'ts', window, [{ name: 'a', edges: [1] }, { name: 'b', edges: [] }]);
    expect(query).toMatch(/^SELECT "c0", "c1", count\(\*\) AS "n"\nFROM \(SELECT/);
    expect(query).toContain('GROUP BY GROUPING SETS (("c0"), ("c1"))');
    expect(tailsQuery(POSTGRES, '"t"', 'ts', window, [{ name: 'a', edges: [1, 2] }])).toContain(`ARRAY[coalesce(sum(CAST('1' AS DOUBLE PRECISION) - CAST("a" AS DOUBLE PRECISION)) FILTER (WHERE`);
  });

  it('turns the grouped codes into the kernel slots the rows counted here give', async () => {
    const values = Float64Array.from([0.5, 1, 1.5, 2, 2, 7, NaN, Infinity, -Infinity, -3]);
    const edges = Float64Array.from([1, 2]);
    const code = (v: number) => (Number.isNaN(v) ? CODE.nan : v === Infinity ? CODE.posInf : v === -Infinity ? CODE.negInf : v === 2 ? CODE.lastEdge : edges.filter((e) => e <= v).length);
    const groups = new Map<number, number>();
    for (const v of values) groups.set(code(v), (groups.get(code(v)) ?? 0) + 1);
    const rows = [...groups].map(([c, n]) => ({ c0: c, n }));
    const fromSql = histogramsFromRows([{ name: 'x', edges }], rows, null);
    const here = await countBatches((async function* () { yield { rows: values.length, columns: [values] }; })(), { featureNames: ['x'], edges: [edges], tails: false });
    expect(Array.from(fromSql.counts[0]!)).toEqual(Array.from(here.counts[0]!));
    expect(Array.from(fromSql.quality)).toEqual(Array.from(here.quality));
    expect(fromSql.rows).toBe(10);
    // slots: 2 below 1 (0.5, -3), 2 in [1, 2) (1, 1.5), 3 at or above 2 (2, 2, 7), 3 non-finite, 2 at the last edge
    expect(Array.from(here.counts[0]!)).toEqual([2, 2, 3, 3, 2]);
  });
});
