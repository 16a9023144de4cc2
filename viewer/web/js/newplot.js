// "New plot": post a filter to the server, poll the plot's status while it
// is computed, and open it when it is ready. The server's error text (for
// example a rejected SQL filter) is shown as it is given.

import { errorText } from './ui.js';

const POLL_MS = 1000;

export class NewPlot {
  constructor(app, { dialog, onReady }) {
    this.app = app;
    this.dialog = dialog;
    this.onReady = onReady; // onReady(name)
    this.form = dialog.querySelector('#newplot-form');
    this.status = dialog.querySelector('#newplot-status');
    this.submit = dialog.querySelector('#newplot-submit');
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.create(); });
    dialog.querySelector('#newplot-cancel').addEventListener('click', () => dialog.close());
    this.polling = null;
  }

  show() {
    if (this.app.source.readOnly) return;
    if (!this.polling) this.say('');
    this.dialog.showModal();
  }

  say(text, error = false) {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
  }

  async create() {
    const f = new FormData(this.form);
    const list = (s) => String(s || '').split(',').map((x) => x.trim()).filter(Boolean);
    const body = {
      name: String(f.get('name')).trim(),
      where: String(f.get('where') || '').trim(),
      tags: list(f.get('tags')),
      categories: list(f.get('categories')),
    };
    this.submit.disabled = true;
    this.say('Submitting…');
    try {
      const res = await this.app.source.createPlot(body);
      this.watch(res.name || body.name);
    } catch (err) {
      this.say(errorText(err), true);
      this.submit.disabled = false;
    }
  }

  watch(name) {
    const poll = async () => {
      let p;
      try {
        p = await this.app.source.plot(name);
      } catch (err) {
        return this.stop(`Plot ${name}: ${errorText(err)}`, true);
      }
      if (p.status === 'ready') {
        this.stop('');
        this.dialog.close();
        this.onReady(name);
      } else if (p.status === 'failed') {
        this.stop(`Plot ${name} failed: ${p.error || 'no reason given'}`, true);
      } else {
        this.say(`Computing ${name}: ${p.progress || p.status}…`);
        this.polling = setTimeout(poll, POLL_MS);
      }
    };
    this.polling = setTimeout(poll, 0);
  }

  stop(text, error = false) {
    clearTimeout(this.polling);
    this.polling = null;
    this.submit.disabled = false;
    this.say(text, error);
  }
}
