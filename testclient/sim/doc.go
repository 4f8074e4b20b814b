// Package sim simulates CamCOPS tablets against a tabletapi server: it keeps
// a local database like a real tablet's (patients with NHS numbers, bmi and
// phq9 tasks, PNG BLOBs), sends the real client's registration and upload
// sequences of PROTOCOL 12 through testclient, changes its data between
// uploads as a user would, and records what the server was told, so that
// Verify can check the server's tables afterwards.
//
// Like testclient it imports none of the server's packages: it is a client.
// Only Verify and OpenDB read the server's database directly.
//
// A Tablet runs one sequence at a time; different Tablets may run in
// parallel. RunLoad drives many tablets for a load test, optionally dropping
// connections at random (chaos) and retrying as a tablet would.
package sim
