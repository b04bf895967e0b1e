// The site's widget renderer: every saved widget of a page, rendered from its
// saved state with @jupyter-widgets/html-manager, without a kernel.
//
// html-manager's own embed.js validates the state with ajv, which compiles its
// schemas with `new Function`, forbidden by the site's Content-Security-Policy
// (script-src 'self'); this entry does the same rendering with a plain check of
// the state's version instead.
import '@fortawesome/fontawesome-free/css/all.min.css';
import '@fortawesome/fontawesome-free/css/v4-shims.min.css';
import '@lumino/widgets/style/index.css';
// The manager alone: the package's index also loads its embedders (ajv, a webpack-only variable).
import { HTMLManager } from '@jupyter-widgets/html-manager/lib/htmlmanager';

const STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';
const VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
const SUPPORTED_MAJOR = 2; // ipywidgets 8's widget protocol

function checkedState(json) {
  const state = JSON.parse(json);
  if (!state || state.version_major !== SUPPORTED_MAJOR || typeof state.state !== 'object') {
    throw new Error(`widget state of version ${state && state.version_major} (this renderer reads version ${SUPPORTED_MAJOR})`);
  }
  return state;
}

function markFailed(viewTag, error) {
  const note = document.createElement('div');
  note.className = 'dlwp-widget-failed';
  note.textContent = `This widget could not be rendered: ${error.message || error}`;
  viewTag.parentElement.insertBefore(note, viewTag);
}

async function renderViews(manager, models) {
  const byId = new Map(models.map((model) => [model.model_id, model]));
  await Promise.all(Array.from(document.querySelectorAll(VIEW)).map(async (viewTag) => {
    try {
      const view = JSON.parse(viewTag.innerHTML);
      const model = byId.get(view.model_id);
      if (model === undefined) {
        throw new Error(`its model ${view.model_id} was not saved with the notebook`);
      }
      const area = document.createElement('div');
      area.className = 'widget-subarea';
      viewTag.parentElement.insertBefore(area, viewTag);
      await manager.display_view(await manager.create_view(model), area);
    } catch (error) {
      markFailed(viewTag, error);
      throw error;
    }
  }));
}

async function renderWidgets() {
  for (const tag of document.querySelectorAll(STATE)) {
    const manager = new HTMLManager();
    const models = await manager.set_state(checkedState(tag.innerHTML));
    await renderViews(manager, models);
  }
  document.documentElement.dataset.dlwpWidgets = 'rendered';
}

window.addEventListener('load', () => {
  renderWidgets().catch((error) => {
    document.documentElement.dataset.dlwpWidgets = 'failed';
    console.error('dlwp: widgets not rendered:', error);
  });
});
