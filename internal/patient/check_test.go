package patient_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/internal/patient"
)

// annNoIDText is the patient text of ann("idnum1", "-").
const annNoIDText = "Patient(forename='Ann', surname='Smith', sex='F', DOB=1980-02-29, address=None, email=None, gp=None, otherdetails=None, idnums=[])"

func TestValidate_Policy(t *testing.T) {
	noID := ann("idnum1", "-")
	noIDNoDOB := ann("idnum1", "-", "dob", "null")
	noIDNoDOBText := "Patient(forename='Ann', surname='Smith', sex='F', DOB=None, address=None, email=None, gp=None, otherdetails=None, idnums=[])"
	with := func(f func(*patient.Env)) patient.Env {
		env := baseEnv()
		f(&env)
		return env
	}
	tests := []struct {
		name string
		info string
		env  patient.Env
		want string
	}{
		{"UploadOK", list(noID), baseEnv(), ""},
		{"UploadOKByID", list(ann("dob", "null", "forename", "null")), baseEnv(), ""},
		{"UploadFails", list(noIDNoDOB), baseEnv(), "Invalid patient: " + noIDNoDOBText + " -> Fails upload ID policy"},
		{"FinalizeOK", list(ann("finalizing", "true")), baseEnv(), ""},
		{"FinalizeFails", list(ann("finalizing", "true", "idnum1", "-")), baseEnv(), "Invalid patient: " + annNoIDText + " -> Fails finalizing ID policy"},
		{"FinalizeOnlyWhenFinalizing", list(noID), with(func(e *patient.Env) { e.FinalizePolicy = nil }), ""},
		{"UploadNull", list(ann()), with(func(e *patient.Env) { e.UploadPolicy = nil }), "Invalid patient: " + annText + " -> Fails upload ID policy"},
		{"UploadEmpty", list(ann()), with(func(e *patient.Env) { e.UploadPolicy = ptr("") }), "Invalid patient: " + annText + " -> Fails upload ID policy"},
		{"UploadInvalid", list(ann()), with(func(e *patient.Env) { e.UploadPolicy = ptr("sex AND") }), "Invalid patient: " + annText + " -> Fails upload ID policy"},
		{"FinalizeNull", list(ann("finalizing", "true")), with(func(e *patient.Env) { e.FinalizePolicy = nil }), "Invalid patient: " + annText + " -> Fails finalizing ID policy"},
		{"NonexistentGroup", list(ann()), with(func(e *patient.Env) { e.GroupExists = false }), "Invalid patient: " + annText + " -> Nonexistent group"},
		{"NonexistentGroupEmptyList", "[]", with(func(e *patient.Env) { e.GroupExists = false }), ""},
		{
			"EmptyStringIsAbsent", list(ann("forename", `""`)), with(func(e *patient.Env) { e.UploadPolicy = ptr("forename") }),
			"Invalid patient: Patient(forename='', surname='Smith', sex='F', DOB=1980-02-29, address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9999999999]) -> Fails upload ID policy",
		},
		{
			"OtherFields", list(ann("address", `"a"`, "gp", `"g"`, "email", `"a@b.cd"`, "other", `"o"`)),
			with(func(e *patient.Env) { e.UploadPolicy = ptr("address AND gp AND email AND otherdetails") }), "",
		},
		{"OtherIDNum", list(ann("idnum2", "7")), with(func(e *patient.Env) { e.UploadPolicy = ptr("idnum1 AND otheridnum") }), ""},
		{"OtherIDNumFails", list(ann()), with(func(e *patient.Env) { e.UploadPolicy = ptr("idnum1 AND otheridnum") }), "Invalid patient: " + annText + " -> Fails upload ID policy"},
		{
			"Several", list(noIDNoDOB, ann(), ann("finalizing", "true", "idnum1", "-")), baseEnv(),
			"Invalid patient: " + noIDNoDOBText + " -> Fails upload ID policy // " + annNoIDText + " -> Fails finalizing ID policy",
		},
		{
			"Absent", `[{"finalizing":false}]`, baseEnv(),
			"Invalid patient: Patient(forename=None, surname=None, sex=None, DOB=None, address=None, email=None, gp=None, otherdetails=None, idnums=[]) -> Fails upload ID policy",
		},
		{
			"Text", `[{"address":"1 Road\nTown","dob":"1980-02-29T23:00:00-05:00","email":"ann@example.com","finalizing":false,"forename":"Ann","gp":"Dr O'Brien","idnum10":5,"idnum2":7,"other":"","sex":"X","surname":"Smith"}]`,
			with(func(e *patient.Env) { e.UploadPolicy = ptr("NOT sex") }),
			`Invalid patient: Patient(forename='Ann', surname='Smith', sex='X', DOB=1980-02-29, address='1 Road\nTown', email='ann@example.com', gp="Dr O'Brien", otherdetails='', idnums=[idnum2=7, idnum10=5]) -> Fails upload ID policy`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustMessage(t, tt.info, tt.env, tt.want)
		})
	}
}

func TestValidate_Restricted(t *testing.T) {
	server := func(f func(*patient.ServerPatient)) *patient.ServerPatient {
		sp := &patient.ServerPatient{
			Forename: ptr("Ann"), Surname: ptr("Smith"), Sex: ptr("F"), DOB: ptr("1980-02-29"),
			IDNums: map[int64]int64{1: 9999999999},
		}
		if f != nil {
			f(sp)
		}
		return sp
	}
	restricted := func(sp *patient.ServerPatient) patient.Env {
		env := baseEnv()
		env.Restricted, env.Username, env.SinglePatient = true, "bob", sp
		return env
	}
	tests := []struct {
		name string
		info string
		env  patient.Env
		want string
	}{
		{"Match", list(ann()), restricted(server(nil)), ""},
		{
			"NullEqualsEmpty", list(ann("address", `""`, "gp", "null")),
			restricted(server(func(sp *patient.ServerPatient) { sp.GP = ptr(""); sp.Email = ptr("") })), "",
		},
		{"DateTimeDOB", list(ann("dob", `"1980-02-29T10:00:00Z"`)), restricted(server(nil)), ""},
		{"ServerDateTimeDOB", list(ann()), restricted(server(func(sp *patient.ServerPatient) { sp.DOB = ptr("1980-02-29T00:00:00.000000+00:00") })), ""},
		{
			"IDNumsAsSet", list(ann("idnum10", "3", "idnum2", "7")),
			restricted(server(func(sp *patient.ServerPatient) { sp.IDNums = map[int64]int64{10: 3, 2: 7, 1: 9999999999} })), "",
		},
		{
			"Mismatch", list(ann("forename", `"Anne"`)), restricted(server(nil)),
			"Invalid patient: Patient(forename='Anne', surname='Smith', sex='F', DOB=1980-02-29, address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9999999999]) -> Should be " + annText,
		},
		{
			"ExtraIDNum", list(ann("idnum2", "7")), restricted(server(nil)),
			"Invalid patient: Patient(forename='Ann', surname='Smith', sex='F', DOB=1980-02-29, address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9999999999, idnum2=7]) -> Should be " + annText,
		},
		{
			"OtherIDValue", list(ann()), restricted(server(func(sp *patient.ServerPatient) { sp.IDNums = map[int64]int64{1: 9434765919} })),
			"Invalid patient: " + annText + " -> Should be Patient(forename='Ann', surname='Smith', sex='F', DOB=1980-02-29, address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9434765919])",
		},
		{
			"ServerAbsentFields", list(ann()), restricted(server(func(sp *patient.ServerPatient) { sp.Sex, sp.DOB, sp.Forename = nil, nil, ptr("") })),
			"Invalid patient: " + annText + " -> Should be Patient(forename='', surname='Smith', sex=None, DOB=None, address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9999999999])",
		},
		{
			"NoSinglePatient", list(ann()), restricted(nil),
			"Invalid patient: " + annText + " -> Restricted user bob does not have associated patient details",
		},
		{
			"PolicyAndMismatch", list(ann("idnum1", "-", "finalizing", "true")), restricted(server(nil)),
			"Invalid patient: " + annNoIDText + " -> Fails finalizing ID policy // " + annNoIDText + " -> Should be " + annText,
		},
		{"NotRestricted", list(ann("forename", `"Anne"`)), func() patient.Env {
			env := restricted(server(nil))
			env.Restricted = false
			return env
		}(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustMessage(t, tt.info, tt.env, tt.want)
		})
	}
}
