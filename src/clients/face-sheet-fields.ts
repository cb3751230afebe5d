/**
 * The Face Sheet fields that staff can change, with the group and entry name the change log uses
 * ("Current Residence - {Set entry: CurrentHomeless to value: No}").
 */
export const FACE_SHEET_FIELDS = {
  firstName: { group: "Demographics", entry: "FirstName" },
  lastName: { group: "Demographics", entry: "LastName" },
  dateOfBirth: { group: "Demographics", entry: "DateOfBirth" },
  residenceAddress: { group: "Current Residence", entry: "CurrentAddress" },
  residenceCity: { group: "Current Residence", entry: "CurrentCity" },
  residenceState: { group: "Current Residence", entry: "CurrentState" },
  residenceZip: { group: "Current Residence", entry: "CurrentZip" },
  residencePhone: { group: "Current Residence", entry: "CurrentPhone" },
  residenceEmail: { group: "Current Residence", entry: "CurrentEmail" },
  residenceHomeless: { group: "Current Residence", entry: "CurrentHomeless" },
  refusedPortalLogin: { group: "Client Portal", entry: "ClientRefusedPortalLogin" },
} as const;

export type FaceSheetField = keyof typeof FACE_SHEET_FIELDS;
export type FaceSheetValues = { [K in FaceSheetField]: K extends "residenceHomeless" | "refusedPortalLogin" ? boolean : string };

export interface FieldChange {
  field: FaceSheetField;
  group: string;
  entry: string;
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
