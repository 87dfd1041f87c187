// app.js: the progressive enhancement of bonafide's pages. Every page works without it.
import { initAll } from './govuk-frontend.min.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();

// Live status: an element with data-poll-url is refreshed while the person responds. The URL
// answers {"status": "...", "label": "...", "done": bool, "next": "/path"}; when done, the page
// moves on to `next` (the server rendered a "Check again" link for browsers without JavaScript).
for (const element of document.querySelectorAll('[data-poll-url]')) {
  const url = element.getAttribute('data-poll-url');
  const label = element.querySelector('[data-poll-label]');
  let stopped = false;
  const poll = async () => {
    if (stopped) return;
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (response.ok) {
        const state = await response.json();
        if (label && typeof state.label === 'string') label.textContent = state.label;
        if (state.done && typeof state.next === 'string' && state.next.startsWith('/')) {
          stopped = true;
          window.location.assign(state.next);
          return;
        }
      }
    } catch (error) {
      // Network blip: try again on the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
}

// Copy buttons: <button data-copy-target="id"> copies the text of element #id.
for (const button of document.querySelectorAll('[data-copy-target]')) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const target = document.getElementById(button.getAttribute('data-copy-target'));
    if (target && navigator.clipboard) await navigator.clipboard.writeText(target.textContent.trim());
  });
}
