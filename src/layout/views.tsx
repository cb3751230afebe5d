/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { CurrentStaff } from "../app";
import { MainNav } from "./main-nav";
import { SessionTimeoutMeta } from "./session-timeout";

// htmx 2 keeps 4xx responses out of the page by default; form errors (422), conflicts (409) and
// a role's refusal (403, retargeted to the page's content) are answers to show, so they swap too. No inline styles or eval: the CSP forbids both.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  // htmx would copy each page (names, dates of birth…) into localStorage for Back: never keep
  // health data there; a history miss reloads the page from the server instead.
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  // htmx re-applies "style" when settling a swap, which the CSP (style-src 'self') blocks.
  attributesToSettle: ["class", "width", "height"],
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "403", swap: true },
    { code: "409", swap: true },
    { code: "422", swap: true },
    { code: "503", swap: true },
    { code: "[45]..", swap: false, error: true },
  ],
});

export interface Crumb {
  label: string;
  href?: string;
}

/** The staff app's page frame: header with agency and sign-out, breadcrumbs, main content. */
export function Layout(props: { title: string; staff?: CurrentStaff; crumbs?: Crumb[]; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <SessionTimeoutMeta secondsLeft={props.staff?.sessionSecondsLeft} refreshUrl="/session/refresh" />
        <title>{`${props.title} · ${props.staff?.agency.name ?? "Agency EHR"}`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/app.css" />
        <script src="/htmx.min.js" defer></script>
        <script src="/app.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <span class="brand">{props.staff?.agency.name ?? "Agency EHR"}</span>
          {props.staff && (
            <form method="post" action="/sign-out" class="who">
              <span>{props.staff.name}</span>
              <a href="/account/sessions">Sessions</a>
              <a href="/account/password">Change password</a>
              <button type="submit" class="link">Sign out</button>
            </form>
          )}
        </header>
        {props.staff && <MainNav staff={props.staff} crumbs={props.crumbs} />}
        {props.crumbs && props.crumbs.length > 0 && (
          <nav aria-label="Breadcrumb" class="crumbs">
            <ol>
              {props.crumbs.map((c) => (
                <li>{c.href ? <a href={c.href}>{c.label}</a> : <span aria-current="page">{c.label}</span>}</li>
              ))}
            </ol>
          </nav>
        )}
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** A labelled text input with its message beneath, wired for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  value?: string;
  error?: string;
  type?: string;
  required?: boolean;
  hint?: string;
  autocomplete?: string;
  inputmode?: "text" | "search" | "email" | "tel" | "url" | "numeric" | "decimal";
  maxlength?: number;
  /** A date input's earliest date (YYYY-MM-DD). */
  min?: string;
  /** For usernames and codes: no automatic capitals or corrections on phones. */
  verbatim?: boolean;
  /** Ids of other elements that describe the field (e.g. a password's rules), read before the hint. */
  describedBy?: string;
}) {
  return (
    <FieldFrame
      {...props}
      control={(f) => (
        <input
          id={f.id}
          name={props.name}
          type={props.type ?? "text"}
          value={props.value ?? ""}
          min={props.min}
          required={props.required}
          autocomplete={props.autocomplete}
          inputmode={props.inputmode}
          maxlength={props.maxlength}
          autocapitalize={props.verbatim ? "none" : undefined}
          autocorrect={props.verbatim ? "off" : undefined}
          spellcheck={props.verbatim ? false : undefined}
          aria-invalid={f.invalid}
          aria-describedby={f.describedBy}
        />
      )}
    />
  );
}

/** What a field's frame hands its control: the control's id, and what describes it. */
export interface FieldControl {
  id: string;
  describedBy?: string;
  invalid?: "true";
}

/**
 * The frame every form field shares — label (with * when required), hint, the control, and the
 * message under it, tied together by ids (`f-<name>`, `-hint`, `-error`) so a screen reader reads
 * the hint and the message with the control, and the error summary can link to it.
 */
export function FieldFrame(props: { name: string; label: string; required?: boolean; hint?: string; error?: string; describedBy?: string; control: (f: FieldControl) => Child }) {
  const id = `f-${props.name}`;
  const describedBy = [props.describedBy ?? "", props.hint ? `${id}-hint` : "", props.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>
        {props.label}
        {props.required && <span aria-hidden="true"> *</span>}
      </label>
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
      {props.control({ id, describedBy: describedBy || undefined, invalid: props.error ? "true" : undefined })}
      {props.error && <p class="error" id={`${id}-error`}>{props.error}</p>}
    </div>
  );
}

/** A labelled select, "Choose…" first, its options in the order of `options` (value → label). */
export function SelectField(props: { name: string; label: string; value: string; options: Record<string, string>; error?: string; hint?: string; required?: boolean }) {
  return (
    <FieldFrame
      {...props}
      required={props.required ?? true}
      control={(f) => (
        <select id={f.id} name={props.name} aria-invalid={f.invalid} aria-describedby={f.describedBy}>
          <option value="" selected={props.value === ""}>
            Choose…
          </option>
          {Object.entries(props.options).map(([value, label]) => (
            <option value={value} selected={props.value === value}>
              {label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

/** A labelled checkbox with an optional message. */
export function Checkbox(props: { name: string; label: string; checked: boolean; error?: string; hint?: string; required?: boolean }) {
  const id = `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : "", props.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={props.error ? "field check has-error" : "field check"}>
      <input
        id={id}
        name={props.name}
        type="checkbox"
        checked={props.checked}
        required={props.required}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
      />
      <label for={id}>{props.label}</label>
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
      {props.error && <p class="error" id={`${id}-error`}>{props.error}</p>}
    </div>
  );
}
