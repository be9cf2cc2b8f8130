/*
 * Autosave stops once the editor form is submitted.
 *
 * Wagtail 8.0.1's autosave (the w-autosave controller on the editor form) keeps going after the
 * form has been submitted: its timers still fire while the submission is on its way, and it
 * copies whatever the form holds then, the hidden fields of a workflow button included. An
 * autosave sent at the same time as the submission races it on the server; on a new page, the
 * submission still goes to the create view while the autosave in flight creates the page.
 *
 * So, on the first submission: no autosave may start any more (the controller's own "active"
 * value, and any that gets as far as its cancelable "save" event is cancelled); if one is already
 * on its way, the submission waits for its answer and is then made again, to the URL the
 * autosave may have moved the form to (create view to edit view), with the button that was
 * pressed. The server refuses an autosave that would undo an approval either way
 * (badges_cms/admin/autosave.py); this spares the editor the race.
 */
(() => {
  'use strict';

  // Long enough for any autosave to be answered; after that, submit anyway.
  const WAIT_AT_MOST = 15000;

  function guard(form) {
    let inFlight = null; // the "save" event of the autosave that has not been answered yet
    let submitted = false;
    let held = null; // { submitter, timeout } while a submission waits for the autosave

    function submitAgain() {
      const { submitter, timeout } = held;
      held = null;
      window.clearTimeout(timeout);
      // The button may have been disabled by its progress spinner by now, which would leave
      // its name out of the submission: send it as a hidden field instead.
      if (
        submitter &&
        submitter.name &&
        !form.querySelector(`input[type="hidden"][name="${CSS.escape(submitter.name)}"]`)
      ) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = submitter.name;
        input.value = submitter.value;
        form.appendChild(input);
      }
      form.requestSubmit();
    }

    function answered() {
      inFlight = null;
      if (held) submitAgain();
    }

    form.addEventListener('w-autosave:save', (event) => {
      if (submitted) {
        event.preventDefault();
        return;
      }
      inFlight = event;
      // A save cancelled by another listener is never sent, so never answered.
      window.setTimeout(() => {
        if (inFlight === event && event.defaultPrevented) inFlight = null;
      });
    });
    form.addEventListener('w-autosave:success', answered);
    form.addEventListener('w-autosave:error', answered);

    form.addEventListener('submit', (event) => {
      if (held) {
        event.preventDefault();
        return;
      }
      if (!submitted) {
        submitted = true;
        form.setAttribute('data-w-autosave-active-value', 'false');
      }
      if (inFlight) {
        event.preventDefault();
        held = {
          submitter: event.submitter,
          timeout: window.setTimeout(submitAgain, WAIT_AT_MOST),
        };
        return;
      }
      // Another listener may have stopped this submission: then the editor stays on the form,
      // and autosave goes on.
      window.setTimeout(() => {
        if (event.defaultPrevented && !held) {
          submitted = false;
          form.setAttribute('data-w-autosave-active-value', 'true');
        }
      });
    });
  }

  function start() {
    document
      .querySelectorAll('form[data-edit-form][data-controller~="w-autosave"]')
      .forEach(guard);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
