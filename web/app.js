// The page: choose an image and options, start jobs, watch each map form, compare results side by side.
import { blobUrl, del, followEvents, getBytes, getJson, parseNpy, post, postForm, setToken, whenUnauthorized } from './api.js';
import { curvesSvg } from './curves.js';
import { greyValues, normalise, paint } from './heatmap.js';

const $ = (id) => document.getElementById(id);
const state = { file: null, example: null, cards: new Map() };
const number = new Intl.NumberFormat('en');

// ---- token (only when the server asks for one) ----
whenUnauthorized(() => $('token-box').classList.remove('hidden'));
$('token').addEventListener('change', (e) => {
  setToken(e.target.value.trim());
  void boot();
});

// ---- image choice: upload, drag and drop, or a bundled example ----
const drop = $('drop');
drop.addEventListener('click', () => $('file').click());
drop.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && $('file').click());
$('file').addEventListener('change', (e) => e.target.files[0] && chooseFile(e.target.files[0]));
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer.files[0];
  if (file) chooseFile(file);
});

function chooseFile(file) {
  state.file = file;
  state.example = null;
  showChoice(URL.createObjectURL(file));
}

function chooseExample(name, url) {
  state.example = name;
  state.file = null;
  showChoice(url);
}

function showChoice(url) {
  $('drop-preview').src = url;
  $('drop-preview').classList.remove('hidden');
  $('drop-hint').classList.add('hidden');
  for (const el of document.querySelectorAll('.examples button')) el.classList.toggle('selected', el.dataset.name === state.example);
  void loadTargets();
}

function imageForm() {
  const form = new FormData();
  if (state.file) form.append('image', state.file, state.file.name);
  else if (state.example) form.append('example', state.example);
  return form;
}

// ---- targets: the model's top-5 for the chosen image, or a class typed in ----
async function loadTargets() {
  const select = $('target');
  select.replaceChildren(new Option("model's top-1", ''));
  if (!state.file && !state.example) return;
  try {
    const form = imageForm();
    form.append('model', $('model').value);
    const { predictions } = await postForm('/v1/predictions', form);
    select.replaceChildren(...predictions.map((p, i) => new Option(`${p.label} — ${(p.probability * 100).toFixed(1)} %`, i === 0 ? '' : String(p.index))));
  } catch (error) {
    showError(error.message);
  }
  select.append(new Option('other class…', '__typed'));
}
$('target').addEventListener('change', () => $('target-text').classList.toggle('hidden', $('target').value !== '__typed'));
$('model').addEventListener('change', () => void loadTargets());
$('queries').addEventListener('input', () => ($('queries-out').value = number.format(Number($('queries').value))));

function showError(message) {
  $('form-error').textContent = message;
  $('form-error').classList.toggle('hidden', !message);
}

// ---- start a job ----
$('job-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  showError('');
  if (!state.file && !state.example) return showError('Choose an image first.');
  const form = imageForm();
  for (const name of ['model', 'method', 'gradient', 'queries', 'seed']) form.append(name, $(name).value);
  const target = $('target').value === '__typed' ? $('target-text').value.trim() : $('target').value;
  if (target) form.append('target', target);
  $('start').disabled = true;
  try {
    const job = await postForm('/v1/explanations', form);
    openCard(job);
    void refreshHistory();
  } catch (error) {
    showError(error.message);
  } finally {
    $('start').disabled = false;
  }
});

// ---- result cards ----
function openCard(job) {
  const existing = state.cards.get(job.id);
  if (existing) {
    existing.el.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    existing.el.classList.add('flash');
    setTimeout(() => existing.el.classList.remove('flash'), 800);
    return existing;
  }
  $('empty').classList.add('hidden');
  const el = $('card-template').content.firstElementChild.cloneNode(true);
  el.dataset.id = job.id;
  $('results').prepend(el);
  const card = { el, job, t: null, width: 0, height: 0, abort: new AbortController(), inputShown: false };
  state.cards.set(job.id, card);
  const q = (s) => el.querySelector(s);
  q('.close').addEventListener('click', () => {
    card.abort.abort();
    state.cards.delete(job.id);
    el.remove();
    if (!state.cards.size) $('empty').classList.remove('hidden');
  });
  q('.cancel').addEventListener('click', async () => update(card, await del(`/v1/explanations/${job.id}`)));
  q('.resume').addEventListener('click', async () => {
    update(card, await post(`/v1/explanations/${job.id}/resume`));
    follow(card);
  });
  q('.show-curves').addEventListener('click', async () => {
    const box = q('.curves');
    box.classList.remove('hidden');
    box.innerHTML = '<p class="legend">computing deletion/insertion curves…</p>';
    q('.show-curves').disabled = true;
    try {
      box.innerHTML = curvesSvg(await getJson(`/v1/explanations/${card.job.id}/curves`));
      q('.show-curves').remove();
    } catch (error) {
      box.textContent = error.message;
      q('.show-curves').disabled = false;
    }
  });
  const repaint = () => card.t && paint(q('.heat'), card.t, card.width, card.height, q('.colormap').value, Number(q('.opacity').value));
  q('.opacity').addEventListener('input', repaint);
  q('.colormap').addEventListener('change', repaint);
  card.repaint = repaint;
  update(card, job);
  if (job.status === 'queued' || job.status === 'running') follow(card);
  return card;
}

function follow(card) {
  const url = `/v1/explanations/${card.job.id}/events`;
  followEvents(
    url,
    (type, data) => {
      if (type === 'status') update(card, data);
      else if (type === 'progress') progress(card, data.queries, data.eta);
      else if (type === 'preview') void preview(card, data);
    },
    card.abort.signal,
  ).catch(() => {});
}

function describe(job) {
  const p = job.params;
  const gradient = p.method === 'rise' ? '' : ` · ${p.gradient}`;
  return `${p.method}${gradient} · ${number.format(p.queries)} queries · seed ${p.seed}`;
}

function update(card, job) {
  const changed = card.job.status !== job.status || (!card.job.prediction && job.prediction);
  card.job = job;
  if (changed) void refreshHistory().catch(() => {});
  const q = (s) => card.el.querySelector(s);
  card.el.dataset.status = job.status;
  const target = job.result?.target ?? job.prediction?.target;
  q('.title').textContent = target ? `${target.label}` : job.inputName;
  q('.subtitle').textContent = `${job.inputName} · ${describe(job)}`;
  q('.badge').textContent = job.status;
  q('.badge').className = `badge ${job.status}`;
  progress(card, job.queries, job.eta);
  const active = job.status === 'queued' || job.status === 'running';
  q('.cancel').classList.toggle('hidden', !active);
  q('.resume').classList.toggle('hidden', job.status !== 'interrupted');
  q('.show-curves').classList.toggle('hidden', !job.result);
  if (job.error) q('.progress-text').textContent = job.error;
  const predictions = job.result?.predictions ?? job.prediction?.predictions ?? [];
  q('.predictions').replaceChildren(
    ...predictions.slice(0, 3).map((p) => {
      const li = document.createElement('li');
      li.innerHTML = `<span></span><meter min="0" max="1"></meter><b></b>`;
      li.querySelector('span').textContent = p.label;
      li.querySelector('meter').value = p.probability;
      li.querySelector('b').textContent = `${(p.probability * 100).toFixed(1)} %`;
      if (target && p.index === target.index) li.classList.add('target');
      return li;
    }),
  );
  if (job.files?.input && !card.inputShown) {
    card.inputShown = true;
    blobUrl(job.files.input).then(
      (u) => (q('.base').src = u),
      () => (card.inputShown = false), // not there yet: the next status or preview brings it
    );
  }
  if (job.result && job.files?.map && !card.final) {
    card.final = true;
    void showFinal(card);
  }
  const downloads = q('.downloads');
  downloads.replaceChildren();
  if (job.files?.overlay) {
    for (const [label, key] of [['overlay PNG', 'overlay'], ['map .npy', 'map'], ['summary JSON', 'summary']]) {
      const a = document.createElement('a');
      a.textContent = label;
      a.href = '#';
      a.addEventListener('click', async (e) => {
        e.preventDefault();
        const link = document.createElement('a');
        link.href = await blobUrl(job.files[key]);
        link.download = `lrsal-${job.id.slice(0, 8)}-${job.files[key].split('/').pop()}`;
        link.click();
      });
      downloads.append(a);
    }
  }
}

function progress(card, queries, eta) {
  const q = (s) => card.el.querySelector(s);
  const share = queries.total ? queries.done / queries.total : 0;
  q('.bar span').style.width = `${(share * 100).toFixed(1)}%`;
  const status = card.job.status;
  let text = `${number.format(queries.done)} / ${number.format(queries.total)} queries`;
  if (status === 'running' && eta != null) text += ` · about ${formatSeconds(eta)} left`;
  if (card.job.result) text += ` · ${card.job.result.seconds.toFixed(1)} s${card.job.result.partial ? ' · partial (cancelled)' : ''}`;
  if (status === 'queued') text = 'queued';
  q('.progress-text').textContent = text;
}

function formatSeconds(s) {
  return s < 60 ? `${Math.ceil(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

async function preview(card, data) {
  if (card.final) return;
  const q = (s) => card.el.querySelector(s);
  if (!card.inputShown && data.input) {
    card.inputShown = true;
    q('.base').src = await blobUrl(data.input).catch(() => ((card.inputShown = false), ''));
  }
  const { t, width, height } = await greyValues(data.image);
  if (card.final) return;
  Object.assign(card, { t, width, height });
  card.el.classList.add('has-map');
  q('.placeholder').textContent = `preview after round ${data.rounds.done} of ${data.rounds.total}`;
  card.repaint();
}

async function showFinal(card) {
  const { data, shape } = parseNpy(await getBytes(card.job.files.map));
  Object.assign(card, { t: normalise(data), height: shape[0], width: shape[1] });
  card.el.classList.add('has-map', 'final');
  card.repaint();
}

// ---- history ----
async function refreshHistory() {
  const { jobs } = await getJson('/v1/explanations');
  $('history').replaceChildren(
    ...jobs.map((job) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      const target = job.result?.target?.label ?? job.prediction?.target?.label;
      button.innerHTML = `<span class="h-title"></span><span class="badge"></span><span class="h-sub"></span>`;
      button.querySelector('.h-title').textContent = target ? `${target} · ${job.inputName}` : job.inputName;
      button.querySelector('.badge').textContent = job.status;
      button.querySelector('.badge').className = `badge ${job.status}`;
      button.querySelector('.h-sub').textContent = `${describe(job)} · ${new Date(job.createdAt).toLocaleString()}`;
      button.addEventListener('click', () => openCard(job));
      li.append(button);
      return li;
    }),
  );
  if (!jobs.length) $('history').innerHTML = '<li class="muted">No jobs yet.</li>';
}
$('refresh').addEventListener('click', () => void refreshHistory());

// ---- start ----
async function boot() {
  try {
    const [{ models }, { examples }] = await Promise.all([getJson('/v1/models'), getJson('/v1/examples')]);
    $('token-box').classList.add('hidden');
    $('model').replaceChildren(...models.map((m) => new Option(m.name, m.id)));
    $('examples').replaceChildren(
      ...examples.map((e) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.name = e.name;
        b.title = e.name;
        const img = document.createElement('img');
        img.alt = e.name;
        void blobUrl(e.url).then((u) => (img.src = u));
        b.append(img);
        b.addEventListener('click', () => chooseExample(e.name, img.src));
        return b;
      }),
    );
    await refreshHistory();
  } catch (error) {
    showError(error.message);
  }
}
void boot();
