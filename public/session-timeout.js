// Idle timeout warning (WCAG 2.2.1 Timing Adjustable), for staff pages and the portal. No inline
// scripts (CSP). The page says how long its session has left (<meta name="session-seconds-left">,
// then the X-Session-Seconds-Left header of each htmx answer). A minute before the end (half the
// time when the idle limit is shorter) a dialog offers "Stay signed in", which posts to
// <meta name="session-refresh-url">. At the end the browser goes to sign-in with the page it was
// on as `next` (the server validates it), after keeping what was typed into a form marked
// data-unsaved-form in sessionStorage (never passwords): back on that page, the user is told what
// wasn't saved and can restore it or discard it.
(function () {
  "use strict";
  var UNSAVED = "unsaved:";

  // ---- What wasn't saved: kept at the timeout, offered back on return ----
  function labelOf(el) {
    var label = el.id && document.querySelector("label[for='" + el.id + "']");
    return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : el.name;
  }

  function keepUnsaved() {
    document.querySelectorAll("form[data-unsaved-form]").forEach(function (form) {
      var values = {};
      var changed = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.disabled || el.type === "password" || el.type === "submit" || el.type === "button") return;
        if (el.type === "checkbox") {
          values[el.name] = el.checked;
          if (el.checked !== el.defaultChecked) changed.push(labelOf(el));
        } else if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") {
          values[el.name] = el.value;
          if (el.type !== "hidden" && el.value !== el.defaultValue) changed.push(labelOf(el));
        }
      });
      if (changed.length === 0) return;
      try {
        sessionStorage.setItem(UNSAVED + location.pathname, JSON.stringify({ what: form.getAttribute("data-unsaved-form"), fields: changed, values: values }));
      } catch (e) { /* storage full or off: nothing more to do */ }
    });
  }

  function say(box, cls, text) {
    var p = document.createElement("p");
    p.className = cls;
    p.setAttribute("role", "status");
    p.tabIndex = -1;
    p.textContent = text;
    box.replaceWith(p);
    p.focus();
    return p;
  }

  function offerRestore() {
    var key = UNSAVED + location.pathname;
    var raw = null;
    try { raw = sessionStorage.getItem(key); } catch (e) { return; }
    var form = raw && document.querySelector("form[data-unsaved-form]");
    if (!form) return;
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { sessionStorage.removeItem(key); return; }
    var box = document.createElement("div");
    box.className = "warning unsaved";
    box.id = "unsaved-changes";
    box.tabIndex = -1;
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", "unsaved-changes-h");
    var h = document.createElement("h3");
    h.id = "unsaved-changes-h";
    h.textContent = "Your changes were not saved";
    var p = document.createElement("p");
    p.textContent = "Your session ended before you chose Update, so these changes to the " + saved.what + " were not saved: " + saved.fields.join(", ") + ".";
    var actions = document.createElement("div");
    actions.className = "actions";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "primary";
    restore.textContent = "Restore my changes";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.textContent = "Discard them";
    actions.append(restore, discard);
    box.append(h, p, actions);
    var head = form.querySelector(".section-head");
    if (head) head.after(box);
    else form.prepend(box);

    restore.addEventListener("click", function () {
      Object.keys(saved.values).forEach(function (name) {
        var el = form.elements.namedItem(name);
        if (!el || el.type === "password") return;
        if (el.type === "checkbox") el.checked = saved.values[name] === true;
        else el.value = String(saved.values[name]);
      });
      sessionStorage.removeItem(key);
      // The form's version is the one the user started from: if someone saved in between, Update
      // says so instead of overwriting their change.
      say(box, "notice", "Your changes are back in the form. Check them, then choose Update to save them.");
    });
    discard.addEventListener("click", function () {
      sessionStorage.removeItem(key);
      say(box, "notice", "Your earlier changes were discarded. The form shows what is saved.");
    });
    // After the page's own autofocus (which runs when the page first renders).
    requestAnimationFrame(function () { requestAnimationFrame(function () { box.focus(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", offerRestore);
  else offerRestore();

  // ---- The warning ----
  var leftMeta = document.querySelector('meta[name="session-seconds-left"]');
  var urlMeta = document.querySelector('meta[name="session-refresh-url"]');
  if (!leftMeta || !urlMeta) return;
  var refreshUrl = urlMeta.getAttribute("content");
  var portalHome = /^\/portal\/[a-z0-9-]+\/session\/refresh$/.test(refreshUrl) ? refreshUrl.replace(/\/session\/refresh$/, "") : null;
  var out = portalHome ? "logged out" : "signed out";
  // Shared by this site's tabs, so a tab left alone doesn't end a session another tab keeps using.
  var storeKey = "session-ends-at:" + (portalHome || "staff");
  var endsAt = 0;
  var warnTimer = null;
  var endTimer = null;
  var tick = null;
  var dialog = null;
  var returnFocus = null;

  function schedule(secondsLeft) {
    if (!(secondsLeft >= 0)) return;
    endsAt = Date.now() + secondsLeft * 1000;
    try { localStorage.setItem(storeKey, String(endsAt)); } catch (e) { /* private mode */ }
    arm();
  }

  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    var left = endsAt - Date.now();
    var lead = Math.min(60000, left / 2);
    warnTimer = setTimeout(warn, Math.max(0, left - lead));
    // A little after the end, so the server has surely ended it too (a reload would otherwise
    // count as activity and keep it).
    endTimer = setTimeout(expire, Math.max(0, left) + 2000);
  }

  function keptElsewhere() {
    var other = 0;
    try { other = Number(localStorage.getItem(storeKey)) || 0; } catch (e) { /* ignore */ }
    if (other > endsAt + 1000) {
      endsAt = other;
      hide(false);
      arm();
      return true;
    }
    return false;
  }

  function countdownText() {
    var s = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    return s >= 60 ? "1 minute" : s + (s === 1 ? " second" : " seconds");
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.id = "idle-warning";
    dialog.setAttribute("aria-labelledby", "idle-warning-h");
    dialog.setAttribute("aria-describedby", "idle-warning-text");
    var body = document.createElement("div");
    body.className = "dialog-body";
    var h = document.createElement("h2");
    h.id = "idle-warning-h";
    h.textContent = "Are you still there?";
    var p = document.createElement("p");
    p.id = "idle-warning-text";
    p.append("There has been no activity for a while. For your security you will be " + out + " in ");
    var count = document.createElement("strong");
    count.id = "idle-warning-count";
    p.append(count, ".");
    var err = document.createElement("p");
    err.className = "error";
    err.id = "idle-warning-error";
    err.hidden = true;
    var actions = document.createElement("div");
    actions.className = "actions";
    var stay = document.createElement("button");
    stay.type = "button";
    stay.className = "primary";
    stay.textContent = "Stay signed in";
    stay.addEventListener("click", stayIn);
    actions.append(stay);
    body.append(h, p, err, actions);
    dialog.append(body);
    // Esc means the user is here: the same as Stay signed in.
    dialog.addEventListener("cancel", function (e) {
      e.preventDefault();
      e.stopPropagation();
      stayIn();
    });
    document.body.append(dialog);
  }

  function warn() {
    if (keptElsewhere()) return;
    if (!dialog) build();
    if (dialog.open) return;
    returnFocus = document.activeElement;
    dialog.querySelector("#idle-warning-count").textContent = countdownText();
    dialog.querySelector("#idle-warning-error").hidden = true;
    clearInterval(tick);
    tick = setInterval(function () { dialog.querySelector("#idle-warning-count").textContent = countdownText(); }, 1000);
    dialog.showModal();
    dialog.querySelector("button").focus();
  }

  function hide(restoreFocus) {
    clearInterval(tick);
    if (dialog && dialog.open) {
      dialog.close();
      if (restoreFocus && returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
    }
  }

  function stayIn() {
    fetch(refreshUrl, { method: "POST", credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401 || r.type === "opaqueredirect") return expire();
        if (!r.ok) throw new Error(String(r.status));
        return r.json().then(function (d) {
          hide(true);
          schedule(Number(d.secondsLeft));
        });
      })
      .catch(function () {
        var err = dialog.querySelector("#idle-warning-error");
        err.textContent = "The server could not be reached. Check your connection and choose Stay signed in again.";
        err.hidden = false;
      });
  }

  var expired = false;
  function expire() {
    if (expired || keptElsewhere()) return;
    expired = true;
    keepUnsaved();
    var here = location.pathname + location.search;
    var signIn = portalHome ? portalHome + "?timeout&next=" : "/sign-in?timeout&next=";
    location.assign(signIn + encodeURIComponent(here));
  }

  // Each htmx answer says how long the session now has.
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail && e.detail.xhr;
    var h = xhr && xhr.getResponseHeader("X-Session-Seconds-Left");
    if (h !== null && h !== undefined && h !== "") schedule(Number(h));
  });
  // A request after the end (e.g. the computer slept through the timers) would be refused and
  // lose what was typed: go through the timeout path instead.
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (Date.now() > endsAt && !keptElsewhere()) {
      e.preventDefault();
      expire();
    }
  });
  document.addEventListener("submit", function (e) {
    if (Date.now() > endsAt && !keptElsewhere() && !e.target.closest("[action$='/sign-out'], [action$='/log-out']")) {
      e.preventDefault();
      expire();
    }
  }, true);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    if (Date.now() > endsAt + 2000) expire();
    else arm();
  });
  // Kept alive in another tab: close this tab's warning too.
  window.addEventListener("storage", function (e) {
    if (e.key === storeKey) keptElsewhere();
  });

  schedule(Number(leftMeta.getAttribute("content")));
})();
