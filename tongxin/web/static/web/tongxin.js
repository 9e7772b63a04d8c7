// Small progressive enhancements; every page works without this file.
"use strict";
// A form marked data-once cannot be sent twice by an impatient second tap.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  // After the browser has collected the form's data, so a named submit button still counts.
  setTimeout(() => {
    for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
  }, 0);
});
// Coming back to a page from the browser cache must not leave its forms disabled.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-once]")) {
    delete form.dataset.sent;
    for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = false;
  }
});
// A control marked data-autosubmit sends its form when changed (no inline handlers: the
// Content-Security-Policy allows no inline script).
document.addEventListener("change", (event) => {
  const control = event.target;
  if (!(control instanceof Element) || !control.hasAttribute("data-autosubmit")) return;
  const form = control.closest("form");
  if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
});
// On a phone the navigation is one row that scrolls sideways: bring the current section in sight.
document.addEventListener("DOMContentLoaded", () => {
  const current = document.querySelector('.nav a[aria-current="page"]');
  if (current) current.scrollIntoView({ block: "nearest", inline: "center" });
});
// A button marked data-print prints the page (no inline handlers: the CSP allows none).
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) window.print();
});
