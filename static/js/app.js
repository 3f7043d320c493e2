// Small progressive enhancements. No inline scripts anywhere: the Content-Security-Policy forbids them.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);

// After an in-page action (never after a live refresh), focus goes where the person expects it: to the element
// the action names (data-focus-after="<selector>" on the link or form that made the request), else to the
// confirmation or the message the answer carries ([data-focus-here]). Otherwise it would fall to the top of
// the page when the region holding the pressed button is replaced.
document.addEventListener("htmx:afterSettle", function (event) {
  const config = event.detail.requestConfig || {};
  const trigger = config.triggeringEvent;
  if (trigger && trigger.type === "live-changed") { return; }
  const source = config.elt || event.detail.elt;
  const selector = source && source.getAttribute && source.getAttribute("data-focus-after");
  const target = (selector && document.querySelector(selector)) || document.querySelector("[data-focus-here]");
  if (!target) { return; }
  if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) { target.setAttribute("tabindex", "-1"); }
  target.focus();
  // Screen readers hear a confirmation or a refusal through the page's one polite live region (a region that
  // arrives with its text already in it is not reliably announced).
  const announcer = document.getElementById("announcer");
  if (announcer && target.hasAttribute("data-focus-here")) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = target.textContent.replace(/\s+/g, " ").trim(); }, 50);
  }
  target.removeAttribute("data-focus-here");
});

// A page that opens on a question or a refusal (likely matches of a new person, a refused change) starts there.
document.addEventListener("DOMContentLoaded", function () {
  const target = document.querySelector("[data-focus-here]");
  if (target) { target.focus(); target.removeAttribute("data-focus-here"); }
});
