// One autocannon run per scenario and round, and the statistics over rounds.
import autocannon from 'autocannon';

/**
 * Runs one scenario for `seconds` and returns requests per second and latency. A scenario may
 * chain requests per connection (`requests`, autocannon's setupRequest/onResponse), as the real
 * refresh does: each answer's cookie is the next request's.
 */
export async function run(scenario, { seconds, connections }) {
  await scenario.prepare?.();
  const result = await autocannon({
    url: scenario.url,
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    body: scenario.body,
    requests: scenario.requests,
    connections: scenario.connections ?? connections,
    duration: seconds,
  });
  return {
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
    non2xx: of('non2xx').reduce((a, b) => a + b, 0),
    errors: of('errors').reduce((a, b) => a + b, 0),
  };
}
