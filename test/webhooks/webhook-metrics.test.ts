import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/observability/metrics.ts';
import { createWebhookMetrics } from '../../server/observability/webhook-metrics.ts';
import { systemBinary } from '../support/redis-binary.ts';

/** Lines promtool's linter complains about; prom-client's own nodejs_active_* gauges are known to (see FACTS.md). */
function promtoolProblems(text: string): string[] {
  const run = spawnSync(systemBinary('promtool'), ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
  return `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^nodejs_active_\w+_total /.test(l));
}

describe('webhook metrics', () => {
  it('counts attempts by endpoint and outcome and observes their latency', async () => {
    const registry = new Registry();
    const m = createWebhookMetrics(registry);
    m.attempt('ep_a', 'delivered', 12);
    m.attempt('ep_a', 'delivered', 30);
    m.attempt('ep_a', 'retry', 15_000);
    m.attempt('ep_b', 'gone', 4);
    const text = await registry.metrics();
    expect(text).toContain('tandem_webhook_deliveries_total{endpoint="ep_a",outcome="delivered"} 2');
    expect(text).toContain('tandem_webhook_deliveries_total{endpoint="ep_a",outcome="retry"} 1');
    expect(text).toContain('tandem_webhook_deliveries_total{endpoint="ep_b",outcome="gone"} 1');
    expect(text).toContain('tandem_webhook_delivery_duration_seconds_count{endpoint="ep_a"} 3');
    expect(text).toContain('tandem_webhook_delivery_duration_seconds_bucket{le="0.025",endpoint="ep_a"} 1');
    expect(text).toContain('tandem_webhook_delivery_duration_seconds_bucket{le="15",endpoint="ep_a"} 3');
  });

  it('reports the backlog and the age of its oldest event at scrape time', async () => {
    const registry = new Registry();
    let clock = 1_000_000;
    const m = createWebhookMetrics(registry, () => clock);
    expect(await registry.metrics()).toMatch(/tandem_webhook_queue_depth 0\n[\s\S]*tandem_webhook_oldest_pending_seconds 0\n/);
    m.queue({ depth: 42, oldestPendingAtMs: clock - 2500 });
    clock += 1000;
    const text = await registry.metrics();
    expect(text).toContain('tandem_webhook_queue_depth 42');
    expect(text).toContain('tandem_webhook_oldest_pending_seconds 3.5');
    m.queue({ depth: -1, oldestPendingAtMs: null });
    expect(await registry.metrics()).toContain('tandem_webhook_queue_depth 42');
  });

  it('counts dead letters and disabled endpoints, and forgets a deleted endpoint', async () => {
    const registry = new Registry();
    const m = createWebhookMetrics(registry);
    m.deadLettered('ep_a');
    m.endpointDisabled('ep_a', 'failing');
    m.attempt('ep_a', 'failed', 1);
    m.attempt('ep_keep', 'delivered', 1);
    let text = await registry.metrics();
    expect(text).toContain('tandem_webhook_dead_letters_total{endpoint="ep_a"} 1');
    expect(text).toContain('tandem_webhook_endpoints_disabled_total{endpoint="ep_a",reason="failing"} 1');
    m.forgetEndpoint('ep_a');
    text = await registry.metrics();
    expect(text).not.toContain('endpoint="ep_a"');
    expect(text).toContain('endpoint="ep_keep"');
  });

  it('is part of the node registry, and promtool finds nothing wrong with it', async () => {
    const metrics = createMetrics({ nodeId: 'n1' });
    metrics.webhooks.attempt('ep_a', 'delivered', 20);
    metrics.webhooks.attempt('ep_a', 'retry', 15_000);
    metrics.webhooks.deadLettered('ep_a');
    metrics.webhooks.endpointDisabled('ep_a', 'gone');
    metrics.webhooks.queue({ depth: 3, oldestPendingAtMs: Date.now() - 1000 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/tandem_webhook_deliveries_total\{endpoint="ep_a",outcome="delivered",node="n1"\} 1/);
    expect(text).toMatch(/tandem_webhook_queue_depth\{node="n1"\} 3/);
    expect(promtoolProblems(text)).toEqual([]);
  });
});
