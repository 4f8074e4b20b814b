// Package patient owns the patient checks and the server's own patients:
// the validate_patients operation (PROTOCOL.md 6.10), the ID-number
// validation methods such as the UK NHS number check (8.4.2), the access
// keys of single-patient mode (6.3 step 2: AccessKey, ParseAccessKey), and
// the server-created patients, the current patient and patient_idnum rows
// of the server device: Check applies the rules to a new one, Store
// creates, lists and finds them (CreateServer, ServerPatients,
// ServerPatientByUUID, ServerPatient, and ServerPatientByKey with the
// refusals of PROTOCOL 6.3 steps 2–4), and InfoJSON writes one as the
// patient_info of single-patient mode. Validate reads the client's
// patient_info JSON, checks every patient's keys in the order they appear
// in the JSON text, and then checks each patient against the group's ID
// policy (package idpolicy) and, for a restricted (auto-generated) user,
// against that user's own patient.
//
// Every user-visible failure is a Refused *fault.Error whose Message is the
// exact wire text of PROTOCOL.md 6.10 and 11, and whose Log holds no
// patient data. Values are quoted with Python's repr, as
// the Conventions of PROTOCOL.md define it.
//
// Decisions where the contract leaves room:
//
//   - Duplicate keys in a patient object behave as in the reference's
//     Python json module: the key is checked once, at the position of its
//     first occurrence, with the value of its last. "idnum1" and "idnum01"
//     are different keys naming the same type, so together they give
//     "More than one ID number supplied for ID number type 1".
//   - The idnums of the patient text are written in ascending type order,
//     whatever their order in the JSON.
//   - A patient that fails both the policy check and the restricted-user
//     check contributes two failures, policy first.
//   - patient_info must be valid UTF-8 as well as RFC 8259 JSON.
//   - A DOB's year may be 0000 (the grammar of 7.6, which codec.DatePart
//     reads, allows four digits), and the date part of a date-time is the
//     date as written, before any zone.
package patient
