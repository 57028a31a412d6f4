// DraftProvenance rendered on its own (svelte/server).
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { ProvenanceDTO } from '../../api';
import DraftProvenance from './DraftProvenance.svelte';

const text = (html: string) => html.replace(/<!--.*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('DraftProvenance', () => {
  it('says which model wrote the draft and expands to exactly what was sent', () => {
    const p: ProvenanceDTO = {
      by: 'gpt-4o-mini at api.openai.com',
      line: 'Draft written by gpt-4o-mini at api.openai.com',
      sent: [
        { role: 'system', content: 'You write a reply email for Casey.' },
        { role: 'user', content: 'From: Dana <dana@acme.example>\nTheir email:\nWhat does it cost?' },
      ],
    };
    const { body } = render(DraftProvenance, { props: { provenance: p } });
    expect(text(body)).toContain('Draft written by gpt-4o-mini at api.openai.com · what was sent ▸');
    expect(body).toContain('<details');
    expect(body.match(/data-testid="provenance-sent"/g)).toHaveLength(2);
    expect(body).toContain('From: Dana &lt;dana@acme.example>\nTheir email:\nWhat does it cost?');
    expect(body).not.toContain('data-testid="provenance-note"');
  });

  it('says why the offline draft stands', () => {
    const { body } = render(DraftProvenance, {
      props: { provenance: { line: 'Offline draft', note: 'Offline draft: Acme is on your never-send-to-the-model list, so nothing was sent.' } },
    });
    expect(text(body)).toContain('Offline draft');
    expect(text(body)).toContain('never-send-to-the-model list');
    expect(body).not.toContain('<details');
  });
});
