// The escort's pick-up page. Each tap (boarded, not boarded with a reason, a contact log)
// becomes a check-in with an id made here, kept in localStorage and sent in order to
// /api/v1/isolation/batches/<id>/checkins; while the network is down the queue just grows and
// is sent when it returns. The server applies each id once, so resending never duplicates.
// Scanning an ID card matches the masked number's first six and last four characters.
"use strict";
(() => {
  const root = document.getElementById("pickup");
  if (!root) return;
  const config = JSON.parse(document.getElementById("pickup-config").textContent);
  const text = JSON.parse(document.getElementById("pickup-texts").textContent);
  const csrf = root.dataset.csrf;
  const KEY = config.storage + ".queue";
  const RETRY_MS = 4000;
  let sending = false;

  const $ = (sel, el) => (el || document).querySelector(sel);

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "[]");
    } catch (error) {
      return [];
    }
  }
  let queue = load();
  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(queue));
    } catch (error) {
      /* storage full: the item still goes out while online */
    }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function flash(message) {
    $("#flash").textContent = message || "";
  }

  function renderQueue() {
    $("#queue-count").textContent = String(queue.length);
    const net = $("#net");
    net.textContent = navigator.onLine ? text.online : text.offline;
    net.dataset.online = navigator.onLine ? "1" : "0";
    root.dataset.pending = String(queue.length);
  }

  function showOutcome(card, outcome) {
    card.dataset.outcome = outcome;
    $("[data-label]", card).textContent = text.outcomes[outcome] || outcome;
  }

  function renderCounts(counts) {
    if (!counts) return;
    for (const [key, value] of Object.entries(counts)) {
      const el = document.querySelector(`[data-count="${key}"]`);
      if (el) el.textContent = String(value);
    }
    $("#counts").dataset.reconciles = counts.reconciles ? "1" : "0";
  }

  function enqueue(item) {
    item.client_id = uuid();
    item.at = new Date().toISOString();
    queue.push(item);
    save();
    renderQueue();
    send();
  }

  async function send() {
    if (sending || !queue.length) return;
    sending = true;
    const items = queue.slice(0, 100);
    try {
      const response = await fetch(config.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ items }),
      });
      if (!response.ok) {
        if (response.status >= 400 && response.status < 500 && response.status !== 408) {
          const body = await response.json().catch(() => ({}));
          flash(body.detail || String(response.status));
          queue = queue.slice(items.length); // the server will never take these
          save();
        }
        throw new Error(String(response.status));
      }
      const body = await response.json();
      const done = new Set(body.results.map((r) => r.client_id));
      for (const result of body.results) {
        const card = document.getElementById("member-" + result.member);
        if (!card) continue;
        const note = $(".member-flash", card);
        if (result.status === "refused") {
          note.textContent = result.message;
          const sent = items.find((i) => i.client_id === result.client_id);
          if (sent && sent.kind === "outcome") showOutcome(card, card.dataset.server || "pending");
        } else {
          note.textContent = "";
          if (result.outcome) {
            card.dataset.server = result.outcome;
            showOutcome(card, result.outcome);
          }
        }
      }
      queue = queue.filter((i) => !done.has(i.client_id));
      save();
      renderCounts(body.counts);
    } catch (error) {
      setTimeout(send, RETRY_MS);
    } finally {
      sending = false;
      renderQueue();
      if (queue.length && navigator.onLine) setTimeout(send, 50);
    }
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const card = button.closest(".member");
    if (!card) return;
    const member = Number(card.dataset.member);
    if (button.dataset.outcome) {
      const outcome = button.dataset.outcome;
      const reason = outcome === "boarded" ? "" : $("input[name=reason]", card).value.trim();
      if (outcome !== "boarded" && !reason) {
        $(".member-flash", card).textContent = text.need_reason;
        return;
      }
      showOutcome(card, outcome);
      enqueue({ member, kind: "outcome", outcome, reason });
    } else if ("contact" in button.dataset) {
      const input = $("input[name=result]", card);
      const result = input.value.trim();
      if (!result) {
        $(".member-flash", card).textContent = text.need_result;
        return;
      }
      const method = $("select[name=method]", card).value;
      enqueue({ member, kind: "contact", method, result });
      input.value = "";
      const count = $("[data-contacts]", card);
      count.textContent = String(Number(count.textContent) + 1);
    }
  });

  $("#scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("#scan").value.normalize("NFKC").replace(/[\s-]/g, "").toUpperCase();
    $("#scan").value = "";
    if (value.length < 15) return;
    const head = value.slice(0, 6);
    const tail = value.slice(-4);
    const card = Array.from(document.querySelectorAll(".member")).find(
      (c) => c.dataset.docHead === head && c.dataset.docTail === tail,
    );
    if (!card) {
      flash(text.not_found);
      return;
    }
    flash("");
    card.scrollIntoView({ block: "center" });
    $("button[data-outcome=boarded]", card).click();
  });

  for (const card of document.querySelectorAll(".member")) card.dataset.server = card.dataset.outcome;
  window.addEventListener("online", () => {
    renderQueue();
    send();
  });
  window.addEventListener("offline", renderQueue);
  renderQueue();
  send();
})();
