/** The Customer.io emulator over real HTTP on 127.0.0.1, controlled by its parent over IPC. */
import { createCustomerIoEmulator } from '@purchasely-customerio/testing';

const rps = Number(process.env.EMULATOR_RPS || 0);
const emulator = createCustomerIoEmulator({
  workspaces: [{ siteId: 'bench-site', apiKey: 'bench-key', region: 'us' }],
  ...(rps > 0 ? { rateLimit: { requestsPerSecond: rps } } : {}),
});
const server = await emulator.listen();

process.on('message', ({ id, command, delayMs }) => {
  if (command === 'reset') {
    emulator.reset();
    process.send({ id, ok: true });
  } else if (command === 'delay') {
    // Every request waits this long before it is handled (0 = none): webhooks pile up in flight.
    emulator.faults.clear();
    if (delayMs > 0) emulator.faults.random({ rate: 1, steps: [{ delayMs }] });
    process.send({ id, ok: true });
  } else if (command === 'snapshot') {
    const statuses = {};
    for (const request of emulator.requests) {
      statuses[request.status] = (statuses[request.status] ?? 0) + 1;
    }
    process.send({
      id,
      stats: { ...emulator.stats },
      events: emulator.events.length,
      people: emulator.people.size,
      requests: emulator.requests.length,
      statuses,
    });
  }
});
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', url: server.url });
