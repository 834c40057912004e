// The bench's reader of wrk's report: the read figures in benchmarks.md come from it, so a
// report it misreads (a unit, a missing line) must fail, not turn into a wrong number.
import { describe, expect, it } from 'vitest';
import { parseWrk } from '../../bench/fleet';

// As wrk 4.1 (Debian) printed it here, against a missing snapshot.
const REPORT = `Running 2s test @ http://127.0.0.1:8092/v1/namespaces/reads/hosts/local/snapshots/nope
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    46.39ms   28.64ms 286.16ms   92.15%
    Req/Sec   730.50    270.96     1.27k    75.00%
  Latency Distribution
     50%   41.30ms
     75%   51.79ms
     90%   66.03ms
     99%  189.85ms
  1463 requests in 2.02s, 695.78KB read
  Non-2xx or 3xx responses: 1463
Requests/sec:    725.72
Transfer/sec:    345.14KB
`;

describe('parseWrk', () => {
  it('reads count, rate, percentiles in ms and failed responses', () => {
    expect(parseWrk(REPORT)).toEqual({ requests: 1463, rate: 725.72, p50ms: 41.3, p99ms: 189.85, failedStatus: 1463, errors: 0 });
  });

  it('converts microseconds and seconds, and counts socket errors', () => {
    const out = REPORT.replace('41.30ms', '812.00us')
      .replace('189.85ms', '1.20s')
      .replace('  Non-2xx or 3xx responses: 1463\n', '  Socket errors: connect 0, read 2, write 0, timeout 3\n');
    expect(parseWrk(out)).toMatchObject({ p50ms: 0.81, p99ms: 1200, failedStatus: 0, errors: 5 });
  });

  it('refuses a report without a rate or a percentile', () => {
    expect(() => parseWrk(REPORT.replace(/Requests\/sec:.*\n/, ''))).toThrow(/no rate/);
    expect(() => parseWrk(REPORT.replace(/ {5}99%.*\n/, ''))).toThrow(/99th percentile/);
  });
});
