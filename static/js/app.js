/* mgtrade: the one page script (loaded with defer by base.html; no inline scripts, see
   docs/accessibility.md). It does seven things:
   1. the menu button (aria-expanded) on narrow screens and at 200 % zoom;
   2. focus after htmx swaps: htmx itself puts focus back on an element with the same id;
      when the focused control is gone, focus moves to [data-focus] in the new content, else
      [data-focus-fallback], else the nearest surviving container (never left on <body>);
   3. error boxes ([data-error-for]) drive aria-invalid / aria-describedby of their input after
      every swap, and a submit that comes back with errors focuses the first invalid field;
   4. a page that comes back with an error summary ([data-error-summary]) focuses it;
   5. data-confirm on a submit button or form asks before submitting;
   6. a picked option of a search-as-you-type picker sets its field;
   7. dialogs: content htmx loads into a <dialog> opens it modal, focus moves into it and back
      to the control that opened it when it closes (Escape, or a [data-dialog-close] link,
      which without JavaScript is a plain link back); a dialog answered with HX-Redirect goes.
   Announcements are server-rendered into #status (includes/announce.html); this file only
   announces failures htmx could not swap (network errors, 5xx). */
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("status");
    if (!region) { return; }
    region.textContent = text;
  }

  /* 1. Menu button */
  function initMenu() {
    var button = document.getElementById("nav-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) { return; }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }
    button.hidden = false;
    document.documentElement.classList.add("js-menu");
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" &&
          button.offsetParent !== null) {
        setOpen(false);
        button.focus();
      }
    });
  }

  /* 3. Error boxes drive their input's state after a swap (a page as served is already right:
     Django sets aria-invalid/aria-describedby; a form-wide error tied to fields stays). */
  function syncErrors() {
    var boxes = document.querySelectorAll("[data-error-for]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var input = document.getElementById(box.getAttribute("data-error-for"));
      if (!input) { continue; }
      var hasError = box.textContent.trim() !== "";
      var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== box.id;
      });
      var otherError = ids.some(function (id) {
        var other = document.getElementById(id);
        return other && other.matches(".form-errors, .field-errors") && other.textContent.trim() !== "";
      });
      if (hasError) { ids.push(box.id); }
      if (hasError || otherError) { input.setAttribute("aria-invalid", "true"); }
      else { input.removeAttribute("aria-invalid"); }
      if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
      var holder = box.closest(".field, td");
      if (holder) { holder.classList.toggle("has-error", hasError); }
    }
  }

  function focusElement(element) {
    if (!element) { return false; }
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    return document.activeElement === element;
  }

  /* 2. Focus after htmx swaps. State is kept per request: a re-price can swap between
     another swap and its settle, and must not overwrite what that swap saw focused. */
  var pending = new WeakMap();

  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var containers = [];
    for (var node = active && active.parentElement; node && node !== document.body; node = node.parentElement) {
      if (node.id) { containers.push(node.id); }
    }
    var config = event.detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    pending.set(event.detail.xhr, {
      active: active,
      containers: containers,
      submitted: !!(trigger && trigger.type === "submit"),
      target: event.detail.target ? event.detail.target.id : null
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var state = event.detail.xhr ? pending.get(event.detail.xhr) : null;
    if (event.detail.xhr) { pending.delete(event.detail.xhr); }
    syncErrors();
    if (!state) { return; }
    var focus = document.activeElement;
    var lost = !focus || focus === document.body || !focus.isConnected;
    var wasInside = state.active && state.active !== document.body && !state.active.isConnected;
    var container = null;
    for (var i = 0; i < state.containers.length && !container; i++) {
      container = document.getElementById(state.containers[i]);
    }
    if (!container && state.target) { container = document.getElementById(state.target); }
    var region = (state.target && document.getElementById(state.target)) || container;
    if (state.submitted && region) {
      var invalid = region.querySelector("[aria-invalid='true']");
      if (invalid) { focusElement(invalid); return; }
    }
    if (!lost || !wasInside || !container) { return; }
    if (focusElement(container.querySelector("[data-focus]"))) { return; }
    if (focusElement(container.querySelector("[data-focus-fallback]"))) { return; }
    focusElement(container);
  });

  /* An empty sentence for the status region says nothing, and would wipe the one a
     swap just before it announced (a re-price often answers after Add/Remove line). */
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "status" &&
        event.detail.fragment.textContent.trim() === "") {
      event.detail.shouldSwap = false;
    }
  });

  function userTriggered(event) {
    var config = event.detail.requestConfig || {};
    return !!config.triggeringEvent;
  }
  document.addEventListener("htmx:responseError", function (event) {
    if (userTriggered(event)) {
      announce("That did not work: the server answered with an error. Nothing was changed; please try again.");
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (userTriggered(event)) {
      announce("The server could not be reached. Check the connection and try again.");
    }
  });

  /* 5. Confirmation before a submit */
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* 6. Pickers (includes/picker.html: ports, currencies): a picked option sets its field (a
     select or a text input), which re-prices through the form's own change trigger where
     there is one; focus returns to the field. */
  document.addEventListener("click", function (event) {
    var option = event.target.closest ? event.target.closest("[data-pick-for]") : null;
    if (!option || option.disabled) { return; }
    var select = document.getElementById(option.getAttribute("data-pick-for"));
    if (!select) { return; }
    select.value = option.getAttribute("data-value");
    select.dispatchEvent(new Event("change", { bubbles: true }));
    var list = option.closest("ul");
    var search = list && document.querySelector("[aria-controls='" + list.id + "']");
    if (list) { list.innerHTML = ""; }
    if (search) { search.value = ""; }
    select.focus();
    var chosen = select.options && select.selectedIndex >= 0 ?
      select.options[select.selectedIndex].text : option.textContent.trim();
    announce(chosen + " chosen.");
  });

  /* 7. Dialogs (quotes/_send_action.html): htmx loads a page section into the <dialog>'s
     body; the native modal dialog keeps focus inside and closes on Escape. */
  var dialogOpeners = new WeakMap();
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var dialog = target && target.closest ? target.closest("dialog") : null;
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    if (!dialog.open) {
      var config = event.detail.requestConfig || {};
      dialogOpeners.set(dialog, config.elt || document.activeElement);
      dialog.showModal();
      var first = dialog.querySelector("[data-focus]") ||
        dialog.querySelector("input:not([type=hidden]):not([disabled]), textarea, select, button");
      focusElement(first || dialog);
    }
  });
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!dialog || dialog.tagName !== "DIALOG") { return; }
    var opener = dialogOpeners.get(dialog);
    dialogOpeners.delete(dialog);
    var body = dialog.querySelector("[id$='-dialog-body']");
    if (body) { body.innerHTML = ""; }
    if (opener && opener.isConnected) { opener.focus(); }
  }, true);
  document.addEventListener("click", function (event) {
    var closer = event.target.closest ? event.target.closest("[data-dialog-close]") : null;
    var dialog = closer && closer.closest("dialog");
    if (!dialog || !dialog.open) { return; }
    event.preventDefault();
    dialog.close();
  });

  function init() {
    initMenu();
    /* 4. A failed submit: focus the error summary */
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { focusElement(summary); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
