// One autocannon run per scenario and round, and the statistics over rounds.
import autocannon from 'autocannon';
import { cpuBetween, sampleCpu } from './cpu.mjs';

/**
 * Runs one scenario for `seconds` and returns requests per second and latency. A scenario may
 * chain requests per connection (`requests`, autocannon's setupRequest/onResponse), as the real
 * refresh does: each answer's cookie is the next request's. With `scenario.server`, also the CPU
 * time per request of that server and of its database backends (`databases`, on PostgreSQL).
 */
export async function run(scenario, { seconds, connections, databases }) {
  await scenario.prepare?.();
  const before = scenario.server && (await sampleCpu(scenario.server, databases));
  const result = await autocannon({
    url: scenario.url,
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    body: scenario.body,
    requests: scenario.requests,
    connections: scenario.connections ?? connections,
    duration: seconds,
  });
  const cpu = before && cpuBetween(before, await sampleCpu(scenario.server, databases));
  const requests = Math.max(result.requests.total, 1);
  return {
    cpuServerUs: cpu ? cpu.serverUs / requests : Number.NaN,
    cpuDatabaseUs: cpu ? cpu.databaseUs / requests : Number.NaN,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Median, min and max of each measure over the rounds of one scenario, and its ratio to the
 * floor: the median of each round's ratio to the floor's run in the same round, so that the
 * machine drifting between rounds (it does, by a third here) cancels out of the comparison.
 */
export function summarise(runs, floorRuns) {
  const of = (key) => runs.map((r) => r[key]);
  return {
    ratio: median(runs.map((r, round) => r.rps / floorRuns[round].rps)),
    rps: median(of('rps')),
    rpsMin: Math.min(...of('rps')),
    rpsMax: Math.max(...of('rps')),
    p99: median(of('p99')),
    // CPU µs per request: the median of each round's total, and its parts in that same round.
    ...cpuOf(runs),
    non2xx: of('non2xx').reduce((a, b) => a + b, 0),
    errors: of('errors').reduce((a, b) => a + b, 0),
  };
}

/** The round with the median total CPU per request (server + database), and its split. */
function cpuOf(runs) {
  const total = (r) => r.cpuServerUs + (Number.isNaN(r.cpuDatabaseUs) ? 0 : r.cpuDatabaseUs);
  const sorted = [...runs].sort((a, b) => total(a) - total(b));
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  return {
    cpuUs: total(middle),
    cpuServerUs: middle.cpuServerUs,
    cpuDatabaseUs: middle.cpuDatabaseUs,
    cpuUsMin: total(sorted[0]),
    cpuUsMax: total(sorted.at(-1)),
  };
}
