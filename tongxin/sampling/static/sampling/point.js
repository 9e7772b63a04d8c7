// The sampling point page: a keyboard-wedge scanner types into one input and presses Enter.
// An ID number records a sample into the current tube; anything else is a tube barcode.
// Every sample goes into a queue kept in localStorage (with an id made here) and is uploaded
// in batches to /api/v1/sampling/events; while the network is down the queue just grows and
// is sent when it returns. The server stores each id once, so resending after a lost answer
// never duplicates a sample. No library, no network fetch but our own.
"use strict";
(() => {
  const root = document.getElementById("point");
  if (!root) return;
  const config = JSON.parse(document.getElementById("point-config").textContent);
  const text = JSON.parse(document.getElementById("point-messages").textContent);
  const csrf = root.dataset.csrf;
  const KEY = config.storage;
  const BATCH = 200;
  const RETRY_MS = 4000;
  // A busy server (429/503) says when to come back (Retry-After); the page waits at least
  // that long, doubling its own wait on every refusal in a row (up to BACKOFF_MAX_MS) and
  // adding up to half of it again at random, so that devices refused together do not all
  // come back together. Nothing is lost meanwhile: the samples stay queued here.
  const BACKOFF_BASE_MS = 1000;
  const BACKOFF_MAX_MS = 60000;

  const $ = (id) => document.getElementById(id);
  const scan = $("scan");
  const form = $("scan-form");

  function load(name, fallback) {
    try {
      const raw = localStorage.getItem(KEY + "." + name);
      return raw ? JSON.parse(raw) : fallback;
    } catch (error) {
      return fallback;
    }
  }
  function save(name, value) {
    try {
      localStorage.setItem(KEY + "." + name, JSON.stringify(value));
    } catch (error) {
      show(text.storage_full, "error");
    }
  }

  // Waiting events hold the ID number read from the card until the server has it; they are
  // removed as soon as the server answers for them.
  let queue = load("queue", []);
  let tubes = Object.assign({}, config.tubes, load("tubes", {}));
  let current = load("current", null);
  let sending = false;
  let refusals = 0; // busy answers in a row
  let notBefore = 0; // no upload before this time (ms), as the server asked
  const seen = new Set(); // people sampled from this page since it was opened (not stored)
  const recent = []; // what the operator sees; masked

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const CHECK = "10X98765432";
  function normalize(value) {
    return value.normalize("NFKC").replace(/[\s-]/g, "").toUpperCase();
  }
  function isIdNumber(value) {
    if (/^\d{15}$/.test(value)) return true;
    if (!/^\d{17}[\dX]$/.test(value)) return false;
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(value[i]) * WEIGHTS[i];
    return CHECK[sum % 11] === value[17];
  }
  function mask(number) {
    return number.length >= 14 ? number.slice(0, 6) + "*".repeat(number.length - 10) + number.slice(-4) : "****";
  }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (m, k) => (k in values ? values[k] : m));
  }

  // --- showing ---------------------------------------------------------------------------

  // The flash is the line the sampler looks at: it carries the worst outcome of a scan
  // (error red, warning amber), with a sound and a vibration on phones for either.
  const LEVELS = { ok: 0, warn: 1, error: 2 };
  let audio = null;
  function alertUser(kind) {
    if (kind !== "warn" && kind !== "error") return;
    try {
      if (navigator.vibrate) navigator.vibrate(kind === "error" ? [300, 120, 300] : [200]);
    } catch (error) {
      /* not a phone */
    }
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = kind === "error" ? 330 : 660;
      gain.gain.value = 0.2;
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + (kind === "error" ? 0.7 : 0.3));
    } catch (error) {
      /* no sound: the colour still says it */
    }
  }

  function show(message, kind) {
    const box = $("flash");
    box.textContent = message;
    box.className = "flash " + (kind || "");
    box.dataset.level = kind || "";
    alertUser(kind);
  }

  function levelOf(result) {
    if (result.status === "refused") return "error";
    if (result.status === "stored" && result.warnings) {
      return result.warnings.includes("sealed") ? "error" : "warn";
    }
    return "ok";
  }

  function renderTube() {
    const tube = current ? tubes[current] : null;
    $("tube-code").textContent = current || text.no_tube;
    $("tube-count").textContent = tube
      ? `${tube.count} / ${tube.capacity || "?"}`
      : "—";
    $("tube-state").textContent = tube ? text.status[tube.status] || tube.status : "";
    $("tube-mode").textContent = tube ? text.modes[tube.mode] || tube.mode : "";
    $("close-tube").disabled = !tube || tube.status !== "open" || tube.count === 0;
    $("tube").dataset.status = tube ? tube.status : "none";
  }

  function renderQueue() {
    $("queue-count").textContent = String(queue.length);
    const waiting = queue.length > 0 && notBefore > Date.now();
    $("net").textContent = waiting ? text.queued_upload : navigator.onLine ? text.online : text.offline;
    $("net").dataset.online = navigator.onLine ? "1" : "0";
    $("net").dataset.state = waiting ? "queued" : "";
    root.dataset.pending = String(queue.length);
  }

  function backOff(response) {
    refusals += 1;
    const told = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    const asked = Number.isFinite(told) && told > 0 ? told * 1000 : 0;
    const own = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (refusals - 1));
    const wait = Math.max(asked, own);
    const delay = wait + Math.floor(Math.random() * (wait / 2));
    notBefore = Date.now() + delay;
    root.dataset.backoff = String(delay);
    setTimeout(flush, delay + 10);
  }

  function renderRecent() {
    const list = $("recent");
    list.replaceChildren();
    for (const item of recent.slice(0, 30)) {
      const li = document.createElement("li");
      li.className = "sample " + item.state;
      li.dataset.id = item.id;
      const time = document.createElement("span");
      time.className = "when";
      time.textContent = item.time;
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = item.label;
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = item.message || text.states[item.state] || item.state;
      li.append(time, who, what);
      if (item.walkIn) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn small";
        button.textContent = text.register;
        button.addEventListener("click", () => openWalkIn(item.id, item.label));
        li.append(button);
      }
      list.append(li);
    }
  }

  function render() {
    renderTube();
    renderQueue();
    renderRecent();
  }

  function remember(event, label) {
    const time = new Date(event.sampled_at || event.at).toLocaleTimeString("zh-CN", { hour12: false });
    recent.unshift({ id: event.id, time, label, state: "queued", message: "" });
    recent.length = Math.min(recent.length, 100);
  }

  // --- scanning --------------------------------------------------------------------------

  function selectedMode() {
    return $("mode").value;
  }

  function useTube(barcode) {
    const known = tubes[barcode];
    if (known && known.status === "closed") {
      show(format(text.tube_closed, { tube: barcode }), "error");
      return;
    }
    if (known && (known.status === "full" || (known.capacity && known.count >= known.capacity))) {
      show(format(text.tube_full, { tube: barcode, n: known.capacity }), "error");
      return;
    }
    if (!known) {
      const mode = selectedMode();
      tubes[barcode] = { mode, capacity: config.sizes[mode] || 0, count: 0, status: "open" };
    }
    current = barcode;
    save("tubes", tubes);
    save("current", current);
    show(format(text.tube_ready, { tube: barcode }), "ok");
    render();
  }

  function enqueue(event, label) {
    queue.push(event);
    save("queue", queue);
    remember(event, label);
    render();
    flush();
  }

  function sample(identity, label, extra) {
    if (!current) {
      show(text.scan_tube_first, "error");
      return false;
    }
    const tube = tubes[current];
    if (tube.status !== "open") {
      show(format(tube.status === "closed" ? text.tube_closed : text.tube_full, { tube: current, n: tube.capacity }), "error");
      return false;
    }
    if (tube.capacity && tube.count >= tube.capacity) {
      show(format(text.tube_full, { tube: current, n: tube.capacity }), "error");
      return false;
    }
    const key = identity.document_number || "p" + identity.person;
    const repeat = seen.has(key);
    seen.add(key);
    const event = Object.assign(
      { id: uuid(), kind: "sample", tube: current, sampled_at: new Date().toISOString(), tube_mode: tube.mode },
      identity,
      extra || {},
    );
    if (tube.mode === "pool") event.tube_capacity = tube.capacity;
    tube.count += 1;
    if (tube.capacity && tube.count >= tube.capacity) tube.status = "full";
    save("tubes", tubes);
    enqueue(event, label);
    let message = format(text.sampled, { n: tube.count, cap: tube.capacity || "?" });
    let level = "ok";
    if (repeat) [message, level] = [text.repeat_here, "warn"];
    if (tube.status === "full") {
      // Both said, the worse one's colour.
      message += " · " + format(text.tube_now_full, { tube: current });
      level = "warn";
    }
    show(message, level);
    return true;
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const typed = scan.value.normalize("NFKC").trim();
    const number = normalize(typed);
    scan.value = "";
    scan.focus();
    if (!typed) return;
    if (isIdNumber(number)) {
      sample({ document_number: number }, mask(number));
    } else if (/^\d{16,18}X?$/.test(number)) {
      show(text.bad_id, "error"); // looks like an ID number with a typo, not a barcode
    } else if (/\s/.test(typed)) {
      show(text.bad_barcode, "error");
    } else {
      useTube(typed);
    }
  });

  $("close-tube").addEventListener("click", () => {
    const tube = current && tubes[current];
    if (!tube || tube.count === 0) return;
    const event = { id: uuid(), kind: "close", tube: current, at: new Date().toISOString() };
    tube.status = "closed";
    save("tubes", tubes);
    queue.push(event);
    save("queue", queue);
    remember(event, format(text.closing, { tube: current }));
    current = null;
    save("current", current);
    render();
    flush();
    scan.focus();
  });

  // --- looking a person up by name ---------------------------------------------------------

  const lookupForm = $("lookup-form");
  lookupForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const results = $("lookup-results");
    results.replaceChildren();
    const body = new FormData(lookupForm);
    try {
      const response = await fetch(config.lookup, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf },
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (!data.people.length) results.textContent = text.nobody;
      for (const person of data.people) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "row pick";
        button.textContent = `${person.name} ${person.document_masked} · ${person.household}`;
        button.addEventListener("click", () => {
          if (sample({ person: person.id }, `${person.name} ${person.document_masked}`)) {
            results.replaceChildren();
            lookupForm.reset();
            scan.focus();
          }
        });
        results.append(button);
      }
    } catch (error) {
      results.textContent = text.lookup_offline;
    }
  });

  // --- walk-ins ----------------------------------------------------------------------------

  // Somebody not on the round's list was sampled all the same (the server keeps the swab);
  // the sampler may complete their name and address here, now or after a reload.
  const walkIn = $("walk-in");
  function openWalkIn(eventId, masked) {
    walkIn.hidden = false;
    walkIn.dataset.event = eventId;
    $("walk-in-number").textContent = masked || "";
    walkIn.querySelector("input[name=name]").focus();
  }
  for (const button of document.querySelectorAll("button.complete-walk-in")) {
    button.addEventListener("click", () => openWalkIn(button.dataset.event, button.dataset.masked));
  }
  walkIn.addEventListener("submit", async (e) => {
    e.preventDefault();
    const eventId = walkIn.dataset.event;
    if (!eventId) return;
    const body = new FormData(walkIn);
    body.set("event", eventId);
    try {
      const response = await fetch(config.complete, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf },
      });
      const data = await response.json();
      if (!response.ok) {
        show(data.detail || text.walk_in_failed, "error");
        return;
      }
      for (const item of recent) {
        if (item.id === eventId) {
          item.walkIn = false;
          item.label = `${body.get("name")} ${item.label}`;
        }
      }
      const row = document.querySelector(`li[data-walk-in-event="${eventId}"]`);
      if (row) row.remove();
      show(text.walk_in_done, "ok");
      walkIn.reset();
      walkIn.hidden = true;
      render();
      scan.focus();
    } catch (error) {
      show(text.walk_in_failed, "error");
    }
  });
  $("walk-in-cancel").addEventListener("click", () => {
    walkIn.hidden = true;
    scan.focus();
  });

  // --- uploading ---------------------------------------------------------------------------

  function settle(results, serverTubes) {
    const answered = new Map(results.map((r) => [r.id, r]));
    queue = queue.filter((event) => !answered.has(event.id));
    save("queue", queue);
    let worst = null;
    for (const item of recent) {
      const result = answered.get(item.id);
      if (!result) continue;
      item.state = result.status === "stored" && result.warnings ? "warning" : result.status;
      item.message = result.message || "";
      if (result.person) item.label = result.person;
      item.walkIn = Boolean(result.warnings && result.warnings.includes("not_listed"));
      const level = levelOf(result);
      if (level !== "ok" && (!worst || LEVELS[level] > LEVELS[worst.level])) {
        worst = { level, text: `${item.label} ${result.message || ""}`.trim(), item };
      }
    }
    // The flash says the worst outcome of what was just answered, never a later success.
    if (worst) show(worst.text, worst.level);
    for (const [barcode, state] of Object.entries(serverTubes || {})) {
      tubes[barcode] = state;
    }
    save("tubes", tubes);
  }

  async function flush() {
    if (sending || !queue.length || Date.now() < notBefore) {
      renderQueue();
      return;
    }
    sending = true;
    const sent = queue.slice(0, BATCH);
    try {
      const response = await fetch(config.upload, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ round: config.round, point: config.point, source: "point", events: sent }),
      });
      if (response.status === 401 || response.status === 403) {
        show(text.signed_out, "error");
        return;
      }
      if (response.status === 429 || response.status === 503) {
        // Busy, not broken: queued, and sent again when the server says (no error shown).
        backOff(response);
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      refusals = 0;
      notBefore = 0;
      settle(data.results, data.tubes);
      $("net").dataset.online = "1";
      // More waiting (more than one batch): carry on at once.
      if (queue.length) setTimeout(flush, 50);
    } catch (error) {
      // Offline, or the answer was lost: everything stays queued and goes again on the next
      // tick (or as soon as the browser says the network is back).
      $("net").dataset.online = "0";
    } finally {
      sending = false;
      render();
    }
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", renderQueue);
  setInterval(flush, RETRY_MS);
  document.addEventListener("click", (e) => {
    // A tap anywhere but a field gives the scanner its input back.
    if (!(e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement)) {
      if (walkIn.hidden) scan.focus();
    }
  });
  render();
  scan.focus();
  flush();
})();
