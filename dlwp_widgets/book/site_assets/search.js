// Client-side search over the site's sections, listings and headings.  The index
// (search-index.js, window.DLWP_SEARCH_INDEX) is a script file rather than JSON
// so that it loads from file:// as well as from a server.
(function () {
  'use strict';
  const MAX_RESULTS = 20;
  const KIND = { section: 'section', listing: 'listing', heading: 'heading', page: 'page' };

  function normalise(text) {
    return text.toLowerCase().replace(/[\u2014\u2013]/g, '-').replace(/\s+/g, ' ').trim();
  }

  // A query "6.3" or "listing 6.3" is a listing number: its listing first, then the rest.
  function matches(entries, query) {
    const words = normalise(query).replace(/^listing\s+/, '').split(' ').filter(Boolean);
    if (!words.length) return [];
    const number = /^\d+\.\d+$/.test(words[0]) && words.length === 1 ? words[0] : null;
    const found = entries.filter((entry) => {
      const text = normalise(`${entry.kind} ${entry.title}`);
      return words.every((word) => text.includes(word));
    });
    const rank = (entry) => (number && entry.kind === 'listing' && entry.number === number ? 0
      : number && entry.number === number ? 1 : entry.kind === 'section' ? 2 : entry.kind === 'listing' ? 3 : 4);
    return found.sort((a, b) => rank(a) - rank(b)).slice(0, MAX_RESULTS);
  }

  function show(list, root, results) {
    list.replaceChildren(...results.map((entry) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = root + entry.url;
      link.textContent = entry.title;
      const kind = document.createElement('span');
      kind.className = 'dlwp-kind';
      kind.textContent = `${KIND[entry.kind] || entry.kind} · ${entry.where}`;
      item.append(link, kind);
      return item;
    }));
  }

  function wire(form) {
    const input = form.querySelector('input[type="search"]');
    const list = form.querySelector('ol.dlwp-search-results');
    const root = form.dataset.root || '';
    const entries = window.DLWP_SEARCH_INDEX || [];
    const update = () => show(list, root, matches(entries, input.value));
    input.addEventListener('input', update);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const first = list.querySelector('a');
      if (first) window.location.href = first.href;
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') list.replaceChildren();
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('form.dlwp-search').forEach(wire);
  });
})();
