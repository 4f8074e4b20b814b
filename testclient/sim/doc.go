// Package sim simulates CamCOPS tablets against a tabletapi server: it keeps
// a local database like a real tablet's, with the tables of the server's
// table registry (patients with NHS numbers, a random mix of tasks with
// values of every field type, their child records, PNG BLOBs), sends the
// real client's registration and upload sequences of PROTOCOL 12 through
// testclient, changes its data between uploads as a user would, and
// records what the server was told, so that Verify can check every table
// of the server afterwards.
//
// It is a client: of the server's packages it imports only the registry,
// to have the tables a server is started with, and sqldb, for Verify and
// OpenDB, which read the server's database directly.
//
// A Tablet runs one sequence at a time; different Tablets may run in
// parallel. RunLoad drives many tablets for a load test, optionally dropping
// connections at random (chaos) and retrying as a tablet would. A tablet
// may also run in single-patient mode (RegisterPatient, PROTOCOL 12.2):
// RunLoad then creates the server patients and their schedule through the
// tabletapi admin CLI it is given, and VerifySchedules checks that
// get_task_schedules reports the tasks they completed complete.
package sim
