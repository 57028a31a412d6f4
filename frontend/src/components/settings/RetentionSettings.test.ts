// RetentionSettings rendered on its own (svelte/server).
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import RetentionSettings from './RetentionSettings.svelte';

describe('RetentionSettings', () => {
  it('shows the retention period in months, bounded 1–120, with what pruning does', () => {
    const body = render(RetentionSettings, { props: { months: 24 } }).body;
    expect(body).toContain('data-testid="retention-months"');
    expect(body).toMatch(/value="24"/);
    expect(body).toContain('min="1"');
    expect(body).toContain('max="120"');
    expect(body).toContain('caseyos compact');
  });
});
