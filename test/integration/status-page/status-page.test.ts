import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStatusPageHttp, type StatusPageDependencies } from '../../../functions/statusPage/handler.js';
import { writeStatusSnapshot } from '../../../functions/statusPage/snapshot.js';
import { FolderObjectStore } from '../../../shared/adapters/folder.object-store.js';
import { alertKey } from '../../../shared/messages/alert.js';
import { alertSinkFor } from '../../../shared/runtime/alerts.js';
import { emulatorBus, emulatorPubSub, emulatorStateStore, freshProjectId } from '../../support/backends.js';
import { capturedLogger, clockAt, testConfig } from '../alerts/alert-fixtures.js';
import { type SlackWebhookServer, startSlackWebhookServer } from '../alerts/slack-webhook-server.js';
import { ensureChromium, type HeadlessChromium, startChromium } from './headless-chromium.js';
import { INCIDENT_DATE, seedIncidentDay } from './incident-day.js';

describe('status page for the 2026-01-18 incident day', () => {
  const config = testConfig();
  const clock = clockAt('2026-01-19T12:00:00Z');
  let workdir: string;
  let deps: StatusPageDependencies;
  let server: Server;
  let base: string;
  let slack: SlackWebhookServer;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'shotclock-status-'));
    const projectId = freshProjectId('status-page');
    const state = emulatorStateStore(projectId);
    const objects = new FolderObjectStore(join(workdir, 'objects'));
    const logger = capturedLogger().logger;
    deps = { config, clock, logger, state, objects };
    await seedIncidentDay(state, objects, config);

    // Open alerts, raised through the real sink; Slack refuses, so deliveries stay pending.
    await emulatorPubSub(projectId).createTopic(config.topics.alerts);
    slack = await startSlackWebhookServer();
    slack.answerWith(500);
    // No group wait: each raise is told at once (an `opened`, then three `updated` notices).
    const noWait = {
      ...config,
      alerts: { ...config.alerts, grouping: { ...config.alerts.grouping, group_wait_minutes: 0 } },
    };
    const alerts = alertSinkFor(
      { config: noWait, clock, logger, state, bus: emulatorBus(projectId) },
      { slackWebhookUrl: slack.url },
    );
    const raise = (
      rule: Parameters<typeof alertKey>[0],
      subject: string,
      severity: 'ERROR' | 'CRITICAL' | 'WARNING',
      message: string,
    ) =>
      alerts.raise({
        key: alertKey(rule, subject, INCIDENT_DATE),
        rule,
        severity,
        subject,
        game_date: INCIDENT_DATE,
        message,
        raised_at: clock.now().toISOString(),
      });
    await raise(
      'critical_processor_missing',
      'upcoming_team_game_context',
      'CRITICAL',
      'upcoming_team_game_context (critical) never completed for 2026-01-18; Phase 4 fired degraded without it.',
    );
    await raise(
      'phase_completion_low',
      'phase3',
      'ERROR',
      'Phase 3 analytics for 2026-01-18 is only 40% complete (2/5) 240 min after its first completion.',
    );
    // Names in alerts come from incoming messages: the page must show them as text, never as markup.
    await raise(
      'dead_letter',
      'phaseTransition',
      'WARNING',
      'phaseTransition refused a message: processor <img src=x onerror="document.title=\'pwned\'"> unknown',
    );
    await raise(
      'grading_below_baseline',
      'catboost_v8',
      'ERROR',
      'catboost_v8 graded 9/48 = 18.8% on 2026-01-18 (95% interval 10.2%-31.9%, baseline 49%).',
    );

    // Resolved conditions, through a sink without Slack (its notices go out): one 3 h ago, one 30 h ago.
    const resolvedAt = async (at: string, subject: string, told: boolean) => {
      const then = clockAt(at);
      const quiet = alertSinkFor({ config: noWait, clock: then, logger, state, bus: emulatorBus(projectId) });
      const key = alertKey('probe_red', subject);
      await quiet.raise({
        key,
        rule: 'probe_red',
        severity: 'ERROR',
        subject,
        message: `dependency probe: ${subject} is red: nothing subscribes`,
        raised_at: then.now().toISOString(),
      });
      then.advance(told ? 65 * 60_000 : 0);
      await quiet.resolve({
        key,
        message: `dependency probe: ${subject} is green again`,
        resolved_at: then.now().toISOString(),
      });
    };
    await resolvedAt('2026-01-19T08:00:00Z', 'subscribed:nba-phase3-trigger', true);
    await resolvedAt('2026-01-18T05:00:00Z', 'subscribed:nba-phase4-trigger', true);

    functions.http(
      'statusPageUnderTest',
      makeStatusPageHttp(async () => deps),
    );
    server = getTestServer('statusPageUnderTest');
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise<void>((closed) => server?.close(() => closed()));
    await slack?.close();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  describe('in headless Chromium', () => {
    let chromium: HeadlessChromium;
    beforeAll(async () => {
      ensureChromium();
      chromium = await startChromium();
    }, 20 * 60_000);
    afterAll(async () => {
      await chromium?.close();
    });

    it('shows the timeline, the charts and the open alerts', async () => {
      const context = chromium.browser.contexts()[0] ?? (await chromium.browser.newContext());
      const page = await context.newPage();
      await page.setViewportSize({ width: 1200, height: 900 });
      const response = await page.goto(`${base}?date=${INCIDENT_DATE}&days=3`);
      expect(response?.status()).toBe(200);

      expect(await page.locator('#page-date').textContent()).toBe(INCIDENT_DATE);
      // Every configured processor of every transition's source phase is on the timeline: a row of its
      // own, or, optional and never reported, named on its phase's one quiet line instead of a red row.
      const processors = config.transitions.flatMap(
        (transition) => config.phases.find((phase) => phase.id === transition.from)!.processors,
      );
      await expect.poll(() => page.locator('tr.timeline-row').count()).toBeGreaterThan(0);
      const rows = await page
        .locator('tr.timeline-row')
        .evaluateAll((cells) => cells.map((row) => row.getAttribute('data-processor') ?? ''));
      const quiet = await page.locator('tr.optional-not-reported code').allTextContents();
      expect([...rows, ...quiet].sort()).toEqual(processors.map((processor) => processor.name).sort());
      expect(quiet.length).toBeGreaterThan(0);
      for (const name of quiet)
        expect(processors.find((processor) => processor.name === name)?.required).toBe(false);
      const phase3 = page.locator('tr.transition-row[data-transition="phase3_to_phase4"]');
      expect(await phase3.textContent()).toContain('2/5 required complete');
      expect(await phase3.textContent()).toContain('DEGRADED');
      expect(await phase3.textContent()).toContain('by deadline:240m: deadline_reached');
      expect(await phase3.textContent()).toContain('fired without upcoming_team_game_context (critical)');
      const missing = page.locator('tr.timeline-row[data-processor="player_game_summary"]').first();
      expect(await missing.textContent()).toContain('missing');

      for (const name of ['timeline', 'grading', 'success-rates']) {
        const chart = page.locator(`figure[data-chart="${name}"] svg`);
        expect(await chart.count(), `${name} chart`).toBe(1);
        const box = await chart.boundingBox();
        expect(box?.width, `${name} chart width`).toBeGreaterThan(200);
        expect(box?.height, `${name} chart height`).toBeGreaterThan(80);
      }
      // The grading chart draws one interval bar per system with a sample.
      expect(await page.locator('figure[data-chart="grading"] svg').textContent()).toContain('catboost_v8');

      const alerts = page.locator('#open-alerts li.alert');
      expect(await alerts.count()).toBe(4);
      expect(await page.locator('#open-alerts img').count()).toBe(0);
      expect(await page.title()).not.toBe('pwned');
      expect(await alerts.last().textContent()).toContain('processor <img src=x');
      expect(await alerts.first().textContent()).toContain(
        'upcoming_team_game_context (critical) never completed',
      );
      // Beside them, what cleared in the last 24 h (not the one from 30 h ago), with the notices it took.
      const resolved = page.locator('#recently-resolved li.resolved-alert');
      expect(await resolved.count()).toBe(1);
      expect(await resolved.first().textContent()).toContain(
        'dependency probe: subscribed:nba-phase3-trigger is green again',
      );
      expect(await resolved.first().textContent()).toContain('1 notice sent');
      // Slack refused all four notices (the topic took them): each is pending, with the reason.
      const pending = page.locator('tr.pending-delivery');
      expect(await pending.count()).toBe(4);
      expect(await pending.first().textContent()).toContain('HTTP 500');
      expect(await page.locator('#gate h2').textContent()).toContain('OPEN');
      expect(await page.locator('tr.gate-check').first().textContent()).toContain('156 / 156');
      expect(await page.locator('tr.retry-row').count()).toBe(2);
      expect(await page.locator('tr.day-row').count()).toBe(2);

      // The story of the day on one time axis: re-runs, gate decisions, transitions firing, alerts.
      const timeline = page.locator('figure[data-chart="timeline"] svg');
      const marks = async (kind: string) => timeline.locator(`[aria-label^="${kind}:"]`).count();
      expect(await marks('completion')).toBeGreaterThan(0);
      expect(await marks('re-run')).toBe(4);
      expect(await marks('gate')).toBe(2);
      expect(await marks('trigger')).toBeGreaterThan(0);
      expect(await marks('alert')).toBe(4);
      expect(await timeline.locator('[aria-label^="gate: BLOCKED"]').count()).toBe(1);
      expect(
        await page
          .locator('tr.timeline-row[data-processor="upcoming_team_game_context"]')
          .first()
          .textContent(),
      ).toMatch(/re-run|\d{2}:\d{2}.*\(0 rows\)/);
      // Nothing scrolls sideways, even in a narrow window.
      for (const width of [1200, 760]) {
        await page.setViewportSize({ width, height: 900 });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        const wide = await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter(
              (element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
            )
            .slice(0, 3)
            .map((element) => `${element.tagName}.${element.className}#${element.id}`),
        );
        expect(overflow, `sideways overflow at ${width} px: ${wide.join(', ')}`).toBeLessThanOrEqual(0);
      }
      await page.setViewportSize({ width: 1200, height: 900 });

      const screenshot = join(workdir, 'status-2026-01-18.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect((await stat(screenshot)).size).toBeGreaterThan(50_000);
      if (process.env.SHOTCLOCK_KEEP_SCREENSHOT)
        await readFile(screenshot).then((png) =>
          import('node:fs/promises').then((fs) => fs.writeFile(process.env.SHOTCLOCK_KEEP_SCREENSHOT!, png)),
        );
      await page.close();
    });

    it('says "no data" for a day nothing was recorded for', async () => {
      const context = chromium.browser.contexts()[0] ?? (await chromium.browser.newContext());
      const page = await context.newPage();
      const response = await page.goto(`${base}?date=2025-06-01&days=1`);
      expect(response?.status()).toBe(200);
      expect(await page.locator('#gate .no-data').textContent()).toBe('no data');
      expect(await page.locator('figure[data-chart="timeline"] .no-data').count()).toBe(1);
      expect(await page.locator('#grading .no-data').count()).toBe(1);
      await page.close();
    });
  });

  it('serves the same data as JSON', async () => {
    const response = await fetch(`${base}?date=${INCIDENT_DATE}&days=2&format=json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const snapshot = await response.json();
    expect(snapshot.days.map((day: { date: string }) => day.date)).toEqual([INCIDENT_DATE, '2026-01-17']);
    const phase3 = snapshot.days[0].transitions.find(
      (t: { transition: string }) => t.transition === 'phase3_to_phase4',
    );
    expect(phase3).toMatchObject({
      completed: 2,
      required: 5,
      triggered_at: '2026-01-18T02:01:40Z',
      fired_by: 'deadline:240m',
      degraded: true,
    });
    const catboost = snapshot.days[0].grading.systems.find(
      (s: { system: string }) => s.system === 'catboost_v8',
    );
    expect(catboost).toMatchObject({ correct: 9, graded: 48, baseline: 0.49, verdict: 'below_baseline' });
    expect(catboost.interval_high).toBeLessThan(0.49);
    const summaries = snapshot.success_rates.filter(
      (r: { processor: string }) => r.processor === 'player_game_summary',
    );
    expect(summaries).toEqual([expect.objectContaining({ completed_days: 11, observed_days: 14 })]);
    // Most severe first, then the newest, then by key.
    expect(snapshot.open_alerts.map((a: { rule: string }) => a.rule)).toEqual([
      'critical_processor_missing',
      'grading_below_baseline',
      'phase_completion_low',
      'dead_letter',
    ]);
  });

  it.each([
    ['date=2026-02-30', 'date: not a calendar date'],
    ['date=yesterday', 'date: expected a date as YYYY-MM-DD'],
    ['days=0', 'days:'],
    ['days=15', 'days:'],
    ['days=two', 'days: expected a whole number of days'],
    ['format=xml', 'format:'],
    ['colour=red', 'unknown parameter colour'],
    ['date=2026-01-18&date=2026-01-17', 'date: give the parameter once'],
    ['date=2027-01-18', 'more than 14 days after today'],
  ])('refuses ?%s with 400 and the reason', async (query, reason) => {
    const response = await fetch(`${base}?${query}`);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain(reason);
  });

  it('writes the replayed day as HTML and JSON files', async () => {
    const dir = join(workdir, 'snapshot');
    const written = await writeStatusSnapshot(deps, INCIDENT_DATE, dir);
    const html = await readFile(written.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Open alerts');
    expect(html).not.toContain('href="?date=');
    const json = JSON.parse(await readFile(written.json, 'utf8'));
    const served = await (await fetch(`${base}?date=${INCIDENT_DATE}&format=json`)).json();
    expect(json).toEqual(served);
  });
});
