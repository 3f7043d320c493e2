// Live status: polls /live/ while the tab is visible and tells the page which referrals changed.
//
// Markup contract (see README, "Live updates"):
//   <div data-live-referral="<public_id>" hx-get="..." hx-trigger="live-changed">  re-fetched when that
//       referral changes;
//   <div data-live-list hx-get="..." hx-trigger="live-changed">  re-fetched when any visible referral changes.
// A region that holds a field the person is typing in (focused, or changed and not yet sent) is left alone
// until they are done, so a refresh never throws away their input; its [data-live-pending] notice says that it
// changed meanwhile. So is a referral's region that the answer to the person's own request filled with their
// text (a refused form: someone else changed the referral, or a field needs correcting), until they send it
// again; and that answer, which shows the referral as it is now, settles the changes reported before it was
// asked. A confirmation ([data-panel-messages]) is carried over a refresh, so that it stays until the person acts
// again or leaves.
// Polling backs off when the person is idle (as healthchecks does): every 1.5 s while they use the page, once a
// minute after a minute without a key, click, scroll or pointer move, and at once again on their next one.
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = (script && script.getAttribute("data-live-url")) || "/live/";
  var INTERVAL = 1500;
  var IDLE_INTERVAL = 60000;
  var IDLE_AFTER = 60000;
  var MAX_BACKOFF = 30000;
  var lastActivity = Date.now();
  var cursor = null;
  var timer = null;
  var busy = false;
  var failures = 0;
  var pendingIds = {};  // referral id -> when a poll first reported it changed (its region not yet refreshed)
  var pendingLists = false;
  var askedAt = {};  // referral id -> when the person's own last request for its region went out
  var TYPED = "textarea, input[type=text], input[type=search], input[type=number]";  // fields that hold typing

  function watched() {
    return document.querySelector("[data-live-referral], [data-live-list]") !== null;
  }

  function isBeingEdited(element) {
    if (element.hasAttribute("data-live-held")) { return true; }
    var active = document.activeElement;
    if (active && active !== document.body && element.contains(active) &&
        /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.type !== "submit" && active.type !== "button") {
      return true;
    }
    if (anyTyped(element, function (field) { return field.value !== field.defaultValue; })) { return true; }
    var boxes = element.querySelectorAll("input[type=checkbox], input[type=radio]");
    for (var j = 0; j < boxes.length; j++) {
      if (boxes[j].checked !== boxes[j].defaultChecked) { return true; }
    }
    var selects = element.querySelectorAll("select:not([multiple])");
    for (var k = 0; k < selects.length; k++) {
      var initial = 0;
      for (var n = 0; n < selects[k].options.length; n++) {
        if (selects[k].options[n].defaultSelected) { initial = n; }
      }
      if (selects[k].selectedIndex !== initial) { return true; }
    }
    return false;
  }

  function isIdle() {
    return Date.now() - lastActivity >= IDLE_AFTER;
  }

  function interval() {
    return isIdle() ? IDLE_INTERVAL : INTERVAL;
  }

  function showPending(element, waiting) {
    var notice = element.querySelector("[data-live-pending]");
    if (notice) { notice.hidden = !waiting; }
  }

  function notify(element) {
    element.dispatchEvent(new CustomEvent("live-changed", { bubbles: false }));
  }

  function deliver() {
    var stillPending = {};
    document.querySelectorAll("[data-live-referral]").forEach(function (element) {
      var id = element.getAttribute("data-live-referral");
      if (!pendingIds[id]) { return; }
      if (isBeingEdited(element)) { stillPending[id] = pendingIds[id]; showPending(element, true); } else { notify(element); }
    });
    var listsWaiting = false;
    if (pendingLists) {
      document.querySelectorAll("[data-live-list]").forEach(function (element) {
        if (isBeingEdited(element)) { listsWaiting = true; } else { notify(element); }
      });
    }
    pendingIds = stillPending;
    pendingLists = listsWaiting;
  }

  function flag(id) {
    if (!pendingIds[id]) { pendingIds[id] = Date.now(); }
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  }

  function poll() {
    if (busy || document.visibilityState !== "visible") { return; }
    if (!watched()) { schedule(interval()); return; }
    busy = true;
    var url = endpoint + (cursor ? "?since=" + encodeURIComponent(cursor) : "");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Live-Poll": "1" } })
      .then(function (response) {
        // Signed out (the idle timeout, or elsewhere): reload, so the page stops showing what it showed.
        if (response.status === 401) { window.location.reload(); throw new Error("stop"); }
        if (response.status === 403) { throw new Error("stop"); }
        if (!response.ok) { throw new Error("retry"); }
        return response.json();
      })
      .then(function (answer) {
        failures = 0;
        cursor = answer.cursor;
        if (answer.everything) {
          document.querySelectorAll("[data-live-referral]").forEach(function (element) {
            flag(element.getAttribute("data-live-referral"));
          });
          pendingLists = true;
        } else if (answer.referrals.length) {
          answer.referrals.forEach(flag);
          pendingLists = true;
        }
        deliver();
        busy = false;
        schedule(interval());
      })
      .catch(function (error) {
        busy = false;
        if (error && error.message === "stop") { return; }
        failures += 1;
        schedule(Math.min(INTERVAL * Math.pow(2, failures), MAX_BACKOFF));
      });
  }

  // The confirmation shown in a region is carried into its refreshed copy (the server renders an empty
  // [data-panel-messages] slot for a refresh).
  function keepConfirmation(element, detail) {
    var shown = element.querySelector("[data-panel-messages]");
    if (!shown || !shown.children.length || typeof detail.serverResponse !== "string") { return; }
    var fresh = new DOMParser().parseFromString(detail.serverResponse, "text/html");
    var slot = fresh.querySelector("[data-panel-messages]");
    if (!slot || slot.children.length) { return; }
    slot.innerHTML = shown.innerHTML;
    slot.querySelectorAll("[data-focus-here]").forEach(function (kept) { kept.removeAttribute("data-focus-here"); });
    detail.serverResponse = fresh.body.innerHTML;
  }

  // A refresh that was already on its way when the person started typing or choosing waits too.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    var element = event.detail.elt || event.target;
    if (!trigger || trigger.type !== "live-changed" || !element) { return; }
    if (!isBeingEdited(element)) { keepConfirmation(element, event.detail); return; }
    event.detail.shouldSwap = false;
    showPending(element, true);
    if (element.hasAttribute("data-live-referral")) {
      flag(element.getAttribute("data-live-referral"));
    } else {
      pendingLists = true;
    }
  });

  // Any sign of the person resumes fast polling; after an idle spell, a poll goes out at once.
  function active() {
    var wasIdle = isIdle();
    lastActivity = Date.now();
    if (wasIdle && !busy && document.visibilityState === "visible") { schedule(0); }
  }
  ["keydown", "pointerdown", "pointermove", "wheel", "scroll", "touchstart", "focusin"].forEach(function (name) {
    document.addEventListener(name, active, { passive: true, capture: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { lastActivity = Date.now(); schedule(0); }
  });

  function isRefresh(detail) {
    var config = detail && detail.requestConfig;
    return Boolean(config && config.triggeringEvent && config.triggeringEvent.type === "live-changed");
  }

  function referralOf(element) {
    return element && element.getAttribute ? element.getAttribute("data-live-referral") : null;
  }

  // The person's own request for a referral's region (a form sent, a link followed): when it went out.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var id = referralOf(event.detail.target);
    if (id && !isRefresh(event.detail)) { askedAt[id] = Date.now(); }
  });

  // Its answer shows the referral as it is now: the changes reported before it went out are in it. When that
  // answer gives the person's text back (a refused form), the region is held as if they were typing in it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var id = referralOf(event.detail.target);
    if (id && !isRefresh(event.detail)) {
      if (pendingIds[id] && askedAt[id] && pendingIds[id] <= askedAt[id]) { delete pendingIds[id]; }
      document.querySelectorAll("[data-live-referral]").forEach(function (region) {
        if (referralOf(region) === id && anyTyped(region, function (field) { return field.value.trim() !== ""; })) {
          region.setAttribute("data-live-held", "");
        }
      });
    }
    window.setTimeout(deliver, 0);
  });

  // Whether one of the region's fields that hold typing passes ``test``.
  function anyTyped(region, test) {
    var fields = region.querySelectorAll(TYPED);
    for (var i = 0; i < fields.length; i++) {
      if (test(fields[i])) { return true; }
    }
    return false;
  }

  // Re-check waiting regions when the person leaves a field or sends a form.
  document.addEventListener("focusout", function () { window.setTimeout(deliver, 0); });
  schedule(0);
})();
