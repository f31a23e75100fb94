/**
 * A host service: migrates at startup, serves /health and /metrics, closes the pool on SIGTERM.
 *
 *   DATABASE_URL=postgres://... PORT=8080 npx tsx examples/host-service.ts
 */
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { createEngine, runMigrations } from '../src/index.js';
import { checkDatabaseHealth, instrument } from '../src/entries/ops.js';
import { createPrometheusMetrics } from '../src/entries/prometheus.js';

const engine = createEngine({ logger: console });
const registry = new Registry();
instrument(engine, createPrometheusMetrics({ registry }));

await runMigrations(engine);

const server = createServer((req, res) => {
  void (async () => {
    if (req.url === '/health') {
      const report = await checkDatabaseHealth(engine, { timeoutMs: 1000 });
      res.writeHead(report.status === 'healthy' ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(report));
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
    } else {
      res.writeHead(404).end();
    }
  })().catch((error: unknown) => {
    res.writeHead(500).end(String(error));
  });
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : address}`);
});

process.once('SIGTERM', () => {
  server.close(() => {
    void engine.close().then(() => console.log('pool closed, bye'));
  });
});
