// Small behaviours the server can't render: dialogs and copy buttons. No inline scripts (CSP).
(function () {
  "use strict";
  var opener = null;

  // A <dialog data-open> swapped in by htmx opens as a modal; focus goes to its first field.
  function openDialogs(root) {
    var dialogs = (root || document).querySelectorAll("dialog[data-open]");
    dialogs.forEach(function (d) {
      d.removeAttribute("data-open");
      if (!d.open) d.showModal();
      var first = d.querySelector("[autofocus], input:not([type=hidden]), button");
      if (first) first.focus();
    });
    titleDialogs();
  }

  // While a dialog with data-title is open, the document's title says so ("Error: …" while it
  // shows an error summary); closing it gives the page its own title back.
  var pageTitle = null;
  function titleDialogs() {
    var d = document.querySelector("dialog[open][data-title]");
    if (!d) return;
    if (pageTitle === null) pageTitle = document.title;
    var suffix = pageTitle.indexOf(" · ") >= 0 ? pageTitle.slice(pageTitle.indexOf(" · ")) : "";
    document.title = (d.querySelector(".error-summary") ? "Error: " : "") + d.getAttribute("data-title") + suffix;
  }

  function closeDialog(d) {
    if (d.open) d.close();
    d.remove();
    if (pageTitle !== null && !document.querySelector("dialog[open][data-title]")) {
      document.title = pageTitle;
      pageTitle = null;
    }
    // A Save may have swapped the opener's table: focus its successor (same id) instead.
    if (opener && !document.body.contains(opener) && opener.id) opener = document.getElementById(opener.id);
    if (opener && document.body.contains(opener)) opener.focus();
    opener = null;
  }

  document.addEventListener("click", function (e) {
    // An error summary's link moves focus to its field (not only the scroll), and keeps the URL.
    var fix = e.target.closest(".error-summary a[href^='#']");
    if (fix) {
      var field = document.getElementById(fix.getAttribute("href").slice(1));
      if (field) {
        e.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      }
    }
    var t = e.target.closest("[data-opens-dialog]");
    if (t) opener = t;
    var close = e.target.closest("[data-close-dialog]");
    if (close) {
      e.preventDefault();
      closeDialog(close.closest("dialog"));
    }
    var copy = e.target.closest("[data-copy]");
    if (copy) {
      var text = copy.getAttribute("data-copy");
      var status = document.getElementById(copy.getAttribute("aria-controls") || "");
      var done = function (msg) { if (status) status.textContent = msg; };
      var fallback = copy.getAttribute("data-copy-fallback") || "Select the address and copy it.";
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () { done("Copied."); }, function () { done(fallback); });
      } else done(fallback);
    }
  });

  // A link that acts as a button (role=button: it opens a window in place) answers Space too.
  document.addEventListener("keydown", function (e) {
    if (e.key !== " " || e.defaultPrevented) return;
    var b = e.target.closest && e.target.closest("a[role=button]");
    if (b) {
      e.preventDefault();
      b.click();
    }
  });

  // Esc closes a dialog through the same path as Cancel, so focus returns to the opener.
  document.addEventListener("cancel", function (e) {
    if (e.target.tagName === "DIALOG" && e.target.id !== "idle-warning") {
      e.preventDefault();
      closeDialog(e.target);
    }
  }, true);

  // The representative record's fields show only while Representative is checked (without
  // JavaScript they are always shown, and the server ignores them for a client's own login).
  function syncRecord(root) {
    (root || document).querySelectorAll("#f-representative").forEach(function (box) {
      var record = box.form && box.form.querySelector("#representative-record");
      if (record) record.hidden = !box.checked;
      // A new login's 42 CFR Part 2 consent goes with the record.
      var consent = box.form && box.form.querySelector("#new-login-consent");
      if (consent) consent.hidden = !box.checked;
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.id === "f-representative") syncRecord(e.target.form);
  });

  document.addEventListener("htmx:afterSettle", function (e) { syncRecord(e.target); openDialogs(e.target); });
  document.addEventListener("DOMContentLoaded", function () { syncRecord(document); openDialogs(document); });
  // A server answer that closes the dialog (e.g. after Save) sends HX-Trigger: close-dialog.
  document.addEventListener("close-dialog", function () {
    document.querySelectorAll("dialog:not(#idle-warning)").forEach(closeDialog);
  });
})();
