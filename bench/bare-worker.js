// The bare worker, its own process (so its memory is measured like the product worker's).
// Usage: node bench/bare-worker.js <temporal address> <task queue>
const { NativeConnection, Worker, Runtime, DefaultLogger } = require('@temporalio/worker');

async function main() {
  const [address, taskQueue] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./bare-workflows'),
    activities: { record: async () => undefined, recordCycleStarted: async () => undefined, recordCyclePhase: async () => undefined, openTask: async () => undefined },
  });
  process.send?.('ready');
  await worker.run();
  await connection.close();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
