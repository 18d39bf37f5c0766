/* Improves the ballot page; the page works fully without it.
 * Progress "已完成 12/30", a jump to the first unanswered item, the 优秀 cap checked
 * before submitting, conditional questions, and a draft kept in this browser so a
 * reload, a lost signal or a "请重新提交" page (503) loses nothing: the draft is removed
 * only by the thank-you page (data-clear-draft). Plain ES5 for old WeChat browsers. */
(function () {
  "use strict";
  var PREFIX = "pingyi-draft:";
  var PENDING = "pingyi-pending";

  function store(kind) {
    try { var s = window[kind]; s.setItem("pingyi-t", "1"); s.removeItem("pingyi-t"); return s; }
    catch (e) { return null; }
  }
  var local = store("localStorage");
  var tab = store("sessionStorage");

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  /* Messages come translated from the page (data-i18n); {name} marks a value. */
  var messages = {};
  function say(key, values) {
    return (messages[key] || key).replace(/\{(\w+)\}/g, function (_m, name) { return values[name]; });
  }

  function clearSubmittedDraft() {
    var key = tab && tab.getItem(PENDING);
    if (key && local) { local.removeItem(key); }
    if (tab) { tab.removeItem(PENDING); }
  }

  function setup(form) {
    try { messages = JSON.parse(form.getAttribute("data-i18n") || "{}"); } catch (e) { messages = {}; }
    var draftKey = PREFIX + form.getAttribute("action");
    var progress = document.getElementById("progress");
    var hint = document.getElementById("hint");
    var button = form.querySelector(".submit");
    var jump = document.createElement("button");
    var cards = form.querySelectorAll(".subj");
    var total = cards.length;
    var saveTimer = null;
    form.noValidate = true;  /* our own checks speak plainer Chinese and scroll */
    jump.type = "button";
    jump.className = "jump";
    jump.textContent = say("jump", {});
    jump.hidden = true;
    button.parentNode.insertBefore(jump, button);

    function answered(dim) {
      var inputs = dim.querySelectorAll("input");
      for (var i = 0; i < inputs.length; i++) {
        var el = inputs[i];
        if (el.type === "radio" ? el.checked : el.value.trim() !== "") { return true; }
      }
      return false;
    }

    function firstMissing() {
      var marked = form.querySelector(".bad");  /* a problem the server pointed out */
      if (marked) { return marked; }
      var dims = form.querySelectorAll(".dim");
      for (var i = 0; i < dims.length; i++) { if (!answered(dims[i])) { return dims[i]; } }
      var name = form.querySelector("#name");
      if (name && !name.value.trim()) { return name.parentNode; }
      return null;
    }

    function countMissing() {
      var n = 0;
      each(form.querySelectorAll(".dim"), function (d) { if (!answered(d)) { n++; } });
      return n;
    }

    function refresh() {
      var done = 0;
      each(cards, function (card) {
        var complete = true;
        each(card.querySelectorAll(".dim"), function (d) { if (!answered(d)) { complete = false; } });
        card.classList.toggle("done", complete);
        if (complete) { done++; }
      });
      progress.textContent = say("done", { done: done, total: total });
      jump.hidden = done === total && !form.querySelector(".bad");
      each(form.querySelectorAll(".q[data-if]"), function (q) {
        var wanted = JSON.parse(q.getAttribute("data-if-values") || "[]");
        var on = false;
        each(form.querySelectorAll("[name='" + q.getAttribute("data-if") + "']"), function (el) {
          if (el.checked && wanted.indexOf(el.value) >= 0) { on = true; }
        });
        q.classList.toggle("off", !on);
      });
    }

    var highlighted = null;
    function show(message, target) {
      hint.textContent = message;
      hint.hidden = !message;
      if (highlighted) { highlighted.classList.remove("need"); }
      highlighted = target;
      if (target) {
        target.classList.add("need");
        target.scrollIntoView({ block: "center" });
        var input = target.querySelector("input, textarea") || target;
        if (input.focus) { input.focus({ preventScroll: true }); }
      }
    }

    function capProblem() {
      var top = form.getAttribute("data-top");
      if (!top) { return null; }
      var allowed = +form.getAttribute("data-top-allowed");
      var counts = {};
      each(form.querySelectorAll("input[type=radio][value='" + top + "']:checked"), function (el) {
        var dim = el.name.split("-")[2];
        counts[dim] = (counts[dim] || 0) + 1;
      });
      for (var dim in counts) {
        if (counts[dim] > allowed) {
          var first = form.querySelector("input[value='" + top + "']:checked[name$='-" + dim + "']");
          var label = first.closest(".dim").querySelector(".dn").textContent;
          return { message: say("cap", { dimension: label, top: form.getAttribute("data-top-label"),
            allowed: allowed, chosen: counts[dim] }), target: first.closest(".dim") };
        }
      }
      return null;
    }

    function saveDraft() {
      if (!local) { return; }
      var data = {};
      each(form.elements, function (el) {
        if (!el.name || !/^(r-|q-|name$)/.test(el.name)) { return; }
        if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
        (data[el.name] = data[el.name] || []).push(el.value);
      });
      try { local.setItem(draftKey, JSON.stringify(data)); } catch (e) { /* storage full: no draft */ }
    }

    function restoreDraft() {
      var raw = local && local.getItem(draftKey);
      if (!raw || form.querySelector("input:checked")) { return; }  /* the server's values win */
      var data;
      try { data = JSON.parse(raw); } catch (e) { return; }
      each(form.elements, function (el) {
        var saved = data[el.name];
        if (!saved) { return; }
        if (el.type === "radio" || el.type === "checkbox") { el.checked = saved.indexOf(el.value) >= 0; }
        else if (el.type !== "hidden") { el.value = saved[0]; }
      });
      show(say("restored", {}), null);
    }

    form.addEventListener("change", function (event) {
      var fixed = event.target.closest(".bad");
      if (fixed) {
        fixed.classList.remove("bad");
        var message = fixed.querySelector(".err");
        if (message) { message.hidden = true; }
      }
      if (highlighted && highlighted.contains(event.target)) { highlighted.classList.remove("need"); }
      refresh();
      saveDraft();
    });
    form.addEventListener("input", function () {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(saveDraft, 400);
    });
    jump.addEventListener("click", function () {
      var missing = firstMissing();
      if (missing) {
        show(missing.classList.contains("bad") ? say("fix", {}) : say("missing", { n: countMissing() }), missing);
      }
    });
    form.addEventListener("submit", function (event) {
      var missing = countMissing() ? firstMissing() : null;
      var cap = capProblem();
      if (missing || cap) {
        event.preventDefault();
        if (missing) { show(say("missingJump", { n: countMissing() }), missing); }
        else { show(cap.message, cap.target); }
        return;
      }
      saveDraft();
      if (tab) { tab.setItem(PENDING, draftKey); }
      /* A second tap would be harmless (same idempotency key), but say what is happening. */
      setTimeout(function () { button.disabled = true; button.textContent = say("sending", {}); }, 0);
      setTimeout(function () { button.disabled = false; button.textContent = say("resend", {}); }, 20000);
    });
    /* Back from a "请重新提交" page (the browser's page cache keeps the disabled button):
     * the answers are still here, so offer to send them again at once. */
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && button.disabled) { button.disabled = false; button.textContent = say("resend", {}); }
    });
    restoreDraft();
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.hasAttribute("data-clear-draft")) { clearSubmittedDraft(); }
    var form = document.getElementById("ballot");
    if (form) { setup(form); }
  });
})();
