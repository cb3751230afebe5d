// Passkey buttons (src/layout/passkey-button.tsx): ask the server for options, let the browser
// create or use a passkey, send the result back, follow the answer. Uses the vendored
// @simplewebauthn/browser bundle (global SimpleWebAuthnBrowser). No inline scripts (CSP).
(function () {
  "use strict";
  var lib = window.SimpleWebAuthnBrowser;

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { ok: res.ok, data: data };
      });
    });
  }

  function say(text, isError) {
    var el = document.getElementById("passkey-message");
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  // A message about a form field goes next to it, as the server-rendered forms do.
  function fieldError(input, text) {
    var id = input.id + "-error";
    var p = document.getElementById(id);
    if (!p) {
      p = document.createElement("p");
      p.className = "error";
      p.id = id;
      input.insertAdjacentElement("afterend", p);
    }
    p.textContent = text;
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(id) < 0) described.push(id);
    input.setAttribute("aria-describedby", described.join(" "));
    input.closest(".field") && input.closest(".field").classList.add("has-error");
    input.focus();
  }

  function clearFieldError(input) {
    var p = document.getElementById(input.id + "-error");
    if (p) p.remove();
    input.removeAttribute("aria-invalid");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== input.id + "-error"; });
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
    input.closest(".field") && input.closest(".field").classList.remove("has-error");
  }

  function run(button) {
    var register = button.getAttribute("data-passkey") === "register";
    var nameInput = button.dataset.nameField ? document.getElementById(button.dataset.nameField) : null;
    var payload = {};
    if (nameInput) {
      clearFieldError(nameInput);
      payload.name = nameInput.value;
    }
    if (button.dataset.next) payload.next = button.dataset.next;
    button.disabled = true;
    say("Waiting for your passkey…");
    post(button.dataset.optionsUrl, payload)
      .then(function (r) {
        if (!r.ok) throw r;
        return register ? lib.startRegistration({ optionsJSON: r.data.options }) : lib.startAuthentication({ optionsJSON: r.data.options });
      })
      .then(function (response) {
        payload.response = response;
        say("Checking…");
        return post(button.dataset.verifyUrl, payload);
      })
      .then(function (r) {
        if (!r.ok) throw r;
        say("Done.");
        window.location.assign(r.data.redirect);
      })
      .catch(function (err) {
        button.disabled = false;
        if (err && err.data && err.data.redirect) {
          say(err.data.error || "");
          window.location.assign(err.data.redirect);
        } else if (err && err.data && err.data.field === "name" && nameInput) {
          say("");
          fieldError(nameInput, err.data.error);
        } else if (err && err.data && err.data.error) {
          say(err.data.error, true);
        } else if (err && err.name === "NotAllowedError") {
          say("No passkey was used (cancelled or timed out). Try again when you're ready.", true);
        } else if (err && err.name === "InvalidStateError") {
          say("This device already has a passkey for your account.", true);
        } else {
          say("That didn't work. Try again.", true);
        }
      });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-passkey]");
    if (!button) return;
    e.preventDefault();
    if (!button.disabled) run(button);
  });

  // Passkey buttons are hidden in the HTML: show them only where they can work.
  document.addEventListener("DOMContentLoaded", function () {
    var supported = !!(lib && lib.browserSupportsWebAuthn());
    document.querySelectorAll("[data-passkey-action]").forEach(function (el) { el.hidden = !supported; });
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (el) { el.hidden = supported; });
  });
})();
