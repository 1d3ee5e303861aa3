// What every peer server shares: listen on the port the benchmark gives, say so on stdout, and
// stop on SIGTERM. The benchmark waits for the "listening" line.
export async function listen(app, port) {
  await app.listen({ host: '127.0.0.1', port });
  process.stdout.write(`listening on ${port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
