/**
 * The pieces of `init cron` and `init ci` (engine/agent/schedule.ts) in milliseconds: schedules,
 * shell quoting that sh itself reads back, `%` escaped for cron, and the training alert's payloads.
 * End to end (the real crontab, the workflow read by PyYAML): test/cli/config.test.ts and
 * test/reference/init-ci.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cronLine, cronSchedule, shellWord, trainingAlertContent, trainingAlertPayload } from '../../../engine/agent/index.js';

describe('cronSchedule', () => {
  it('names and five-field expressions; anything else is refused naming the option', () => {
    expect(cronSchedule('daily')).toBe('0 6 * * *');
    expect(cronSchedule('HOURLY')).toBe('0 * * * *');
    expect(cronSchedule(' */15  1-5 * jan,jul mon-fri ')).toBe('*/15 1-5 * jan,jul mon-fri');
    for (const bad of ['weekly', '* * * *', '* * * * * *', '0 6 * * * ; rm -rf /', '$(id) * * * *', '']) {
      expect(() => cronSchedule(bad), bad).toThrow(/^every: must be daily, hourly or a cron expression of five fields/);
    }
  });
});

describe('shellWord and cronLine', () => {
  it('sh reads every quoted word back as it was', () => {
    const words = ['plain', 'with space', "it's", 'a"b', '$HOME', '`id`', 'x;y', 'new\nline', ''];
    const echoed = spawnSync('sh', ['-c', `printf '%s\\0' ${words.map(shellWord).join(' ')}`], { encoding: 'utf8' });
    expect(echoed.stdout.split('\0').slice(0, -1)).toEqual(words);
  });

  it('escapes % (a newline to cron) and ends with the marker of its folder', () => {
    const line = cronLine({ every: 'daily', cwd: '/srv/drift 100%', program: ['/usr/bin/node', '/opt/dc/main.js'], data: 'in/%Y.csv' });
    expect(line).toBe("0 6 * * * cd '/srv/drift 100\\%' && /usr/bin/node /opt/dc/main.js check --baseline baseline.json in/\\%Y.csv # driftcatcher init cron: /srv/drift 100\\%");
  });
});

describe('training alerts', () => {
  const content = trainingAlertContent(
    { version: 4, registeredModel: 'ddos_random_forest', modelType: 'rf', aliases: ['challenger'], metrics: { roc_auc: 0.99, accuracy: 0.98, precision: 0.97, recall: 0.96, f1_score: 0.965 }, data: { train_rows: 800, test_rows: 200 } },
    new Date('2026-01-02T03:04:05Z'),
  );
  it('each format names the version and its test metrics', () => {
    expect(trainingAlertPayload(content, 'generic')).toEqual({ source: 'driftcatcher', ...content });
    const slack = trainingAlertPayload(content, 'slack') as { text: string };
    expect(slack.text).toBe('driftcatcher: trained ddos_random_forest v4 (rf, challenger): roc_auc 0.9900, accuracy 0.9800, precision 0.9700, recall 0.9600, f1_score 0.9650; 800 train / 200 test rows');
    const discord = trainingAlertPayload(content, 'discord') as { embeds: Array<{ title: string; timestamp: string; fields: Array<{ name: string; value: string }> }> };
    expect(discord.embeds[0]!.title).toBe('driftcatcher: trained ddos_random_forest v4 (rf, challenger)');
    expect(discord.embeds[0]!.timestamp).toBe('2026-01-02T03:04:05.000Z');
    expect(discord.embeds[0]!.fields.map((f) => `${f.name}=${f.value}`)).toEqual(['roc_auc=0.9900', 'accuracy=0.9800', 'precision=0.9700', 'recall=0.9600', 'f1_score=0.9650']);
  });
});
