/**
 * The Face Sheet fields that staff can change, with the group and entry name the change log uses
 * ("Current Residence - {Set entry: CurrentHomeless to value: No}").
 */
export const FACE_SHEET_FIELDS = {
  firstName: { group: "Demographics", entry: "FirstName", label: "First name" },
  lastName: { group: "Demographics", entry: "LastName", label: "Last name" },
  dateOfBirth: { group: "Demographics", entry: "DateOfBirth", label: "Date of birth" },
  residenceAddress: { group: "Current Residence", entry: "CurrentAddress", label: "Address" },
  residenceCity: { group: "Current Residence", entry: "CurrentCity", label: "City" },
  residenceState: { group: "Current Residence", entry: "CurrentState", label: "State" },
  residenceZip: { group: "Current Residence", entry: "CurrentZip", label: "ZIP" },
  residencePhone: { group: "Current Residence", entry: "CurrentPhone", label: "Phone" },
  residenceEmail: { group: "Current Residence", entry: "CurrentEmail", label: "Email" },
  residenceHomeless: { group: "Current Residence", entry: "CurrentHomeless", label: "Homeless" },
  refusedPortalLogin: { group: "Client Portal", entry: "ClientRefusedPortalLogin", label: "Client Refused Portal Login" },
} as const;

export type FaceSheetField = keyof typeof FACE_SHEET_FIELDS;
export type FaceSheetValues = { [K in FaceSheetField]: K extends "residenceHomeless" | "refusedPortalLogin" ? boolean : string };

export interface FieldChange {
  field: FaceSheetField;
  group: string;
  entry: string;
  label: string;
  before: string | boolean;
  after: string | boolean;
}

/** The fields whose values differ, in the order above. */
export function diffFaceSheet(before: FaceSheetValues, after: FaceSheetValues): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of Object.keys(FACE_SHEET_FIELDS) as FaceSheetField[]) {
    if (before[field] !== after[field]) {
      changes.push({ field, ...FACE_SHEET_FIELDS[field], before: before[field], after: after[field] });
    }
  }
  return changes;
}

const BY_ENTRY = new Map(Object.values(FACE_SHEET_FIELDS).map((f) => [f.entry as string, f]));

/** A stored value as the Face Sheet shows it: Yes/No, MM/DD/YYYY for the date of birth, "(blank)". */
function plainValue(entry: string, value: unknown): string {
  if (typeof value === "boolean") return value ? "Yes" : "No";
  const text = typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
  if (text === "") return "(blank)";
  const date = entry === "DateOfBirth" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
  return date ? `${date[2]}/${date[3]}/${date[1]}` : text;
}

/**
 * One Face Sheet change in plain words, from what a log entry stores (`details.changes`): the
 * field's label and its old and new values — "Phone: (518) 555-0142 → (555) 010-1234". Null for a
 * field this version doesn't know.
 */
export function plainChange(change: { field?: unknown; before?: unknown; after?: unknown }): string | null {
  const f = typeof change.field === "string" ? BY_ENTRY.get(change.field) : undefined;
  if (!f) return null;
  return `${f.label}: ${plainValue(f.entry, change.before)} → ${plainValue(f.entry, change.after)}`;
}
