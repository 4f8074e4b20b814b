package patient_test

import (
	"strings"
	"testing"
)

func TestValidate_JSON(t *testing.T) {
	tests := []struct {
		info, want string
	}{
		{"[]", ""},
		{" [ ]\n", ""},
		{list(ann()), ""},
		{list(ann(), ann("forename", `"Bob"`)), ""},
		{"", "Bad JSON for key 'patient_info'"},
		{"[", "Bad JSON for key 'patient_info'"},
		{"[{}", "Bad JSON for key 'patient_info'"},
		{`[{"sex":"F",}]`, "Bad JSON for key 'patient_info'"},
		{"[NaN]", "Bad JSON for key 'patient_info'"},
		{"[Infinity]", "Bad JSON for key 'patient_info'"},
		{"[01]", "Bad JSON for key 'patient_info'"},
		{"['a']", "Bad JSON for key 'patient_info'"},
		{"[] []", "Bad JSON for key 'patient_info'"},
		{"[\"\xff\"]", "Bad JSON for key 'patient_info'"},
		{"{}", "Top-level JSON is not a list"},
		{ann(), "Top-level JSON is not a list"},
		{"null", "Top-level JSON is not a list"},
		{`"[]"`, "Top-level JSON is not a list"},
		{"1", "Top-level JSON is not a list"},
		{"true", "Top-level JSON is not a list"},
		{"[1]", "Patient JSON is not a dict"},
		{"[[]]", "Patient JSON is not a dict"},
		{"[null]", "Patient JSON is not a dict"},
		{`["x"]`, "Patient JSON is not a dict"},
		{list(ann(), "[]"), "Patient JSON is not a dict"},
		{"[{}]", "Patient JSON is empty"},
		{"[ { } ]", "Patient JSON is empty"},
		{list(ann(), "{}"), "Patient JSON is empty"},
	}
	for _, tt := range tests {
		mustMessage(t, tt.info, baseEnv(), tt.want)
	}
}

func TestValidate_Fields(t *testing.T) {
	const nonString = "Patient JSON contains invalid non-string: "
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com" // 255 characters
	tests := []struct {
		name string
		kv   []string // ann() overrides
		want string
	}{
		{"OK", nil, ""},
		{"NullsAndEmpty", []string{"forename", `""`, "surname", `""`, "address", `""`, "gp", `""`, "other", `""`, "email", `""`, "dob", `""`}, ""},
		{"Unicode", []string{"forename", `"Zoë \u00e9"`, "address", `"1 Road\nTown"`}, ""},
		{"NonStringInt", []string{"forename", "5"}, nonString + "5"},
		{"NonStringTrue", []string{"surname", "true"}, nonString + "True"},
		{"NonStringFalse", []string{"email", "false"}, nonString + "False"},
		{"NonStringList", []string{"address", `[1,"a",null,[]]`}, nonString + "[1, 'a', None, []]"},
		{"NonStringDict", []string{"gp", `{"b":1,"a":{"c":"it's"}}`}, nonString + `{'b': 1, 'a': {'c': "it's"}}`},
		{"NonStringDictDuplicate", []string{"gp", `{"b":1,"a":2,"b":3}`}, nonString + "{'b': 3, 'a': 2}"},
		{"NonStringFloat", []string{"other", "1.5"}, nonString + "1.5"},
		{"NonStringDOB", []string{"dob", "3"}, nonString + "3"},
		{"NonStringExponent", []string{"forename", "1e3"}, nonString + "1000.0"},
		{"NonStringFraction", []string{"forename", "1.0E2"}, nonString + "100.0"},
		{"NonStringSmall", []string{"forename", "0.00001"}, nonString + "1e-05"},
		{"NonStringSmallPositional", []string{"forename", "0.0001"}, nonString + "0.0001"},
		{"NonStringBig", []string{"forename", "1e16"}, nonString + "1e+16"},
		{"NonStringBigPositional", []string{"forename", "123456789012345.6"}, nonString + "123456789012345.6"},
		{"NonStringNegZero", []string{"forename", "-0.0"}, nonString + "-0.0"},
		{"NonStringIntNegZero", []string{"forename", "-0"}, nonString + "0"},
		{"NonStringHugeInt", []string{"forename", "-123456789012345678901234567890"}, nonString + "-123456789012345678901234567890"},
		{"NonStringInf", []string{"forename", "1E400"}, nonString + "inf"},
		{"NonStringNegInf", []string{"forename", "-1e400"}, nonString + "-inf"},
		{"SexM", []string{"sex", `"M"`}, ""},
		{"SexX", []string{"sex", `"X"`}, ""},
		{"SexQ", []string{"sex", `"Q"`}, "Bad sex value: 'Q'"},
		{"SexLower", []string{"sex", `"f"`}, "Bad sex value: 'f'"},
		{"SexEmpty", []string{"sex", `""`}, "Bad sex value: ''"},
		{"SexSpace", []string{"sex", `"F "`}, "Bad sex value: 'F '"},
		{"SexNull", []string{"sex", "null"}, "Bad sex value: None"},
		{"SexInt", []string{"sex", "1"}, "Bad sex value: 1"},
		{"SexList", []string{"sex", `["F"]`}, "Bad sex value: ['F']"},
		{"DOBNull", []string{"dob", "null", "idnum1", "-"}, "Invalid patient: Patient(forename='Ann', surname='Smith', sex='F', DOB=None, address=None, email=None, gp=None, otherdetails=None, idnums=[]) -> Fails upload ID policy"},
		{"DOBDateTime", []string{"dob", `"1980-02-29T23:30:00.123456+05:30"`}, ""},
		{"DOBDateTimeSpace", []string{"dob", `"2000-02-29 10:04"`}, ""},
		{"DOBWords", []string{"dob", `"Yesterday"`}, "Invalid DOB: 'Yesterday'"},
		{"DOBFeb30", []string{"dob", `"1980-02-30"`}, "Invalid DOB: '1980-02-30'"},
		{"DOBNotLeap", []string{"dob", `"1981-02-29"`}, "Invalid DOB: '1981-02-29'"},
		{"DOB1900", []string{"dob", `"1900-02-29"`}, "Invalid DOB: '1900-02-29'"},
		{"DOBMonth13", []string{"dob", `"1980-13-01"`}, "Invalid DOB: '1980-13-01'"},
		{"DOBDay0", []string{"dob", `"1980-01-00"`}, "Invalid DOB: '1980-01-00'"},
		{"DOBShort", []string{"dob", `"1980-2-01"`}, "Invalid DOB: '1980-2-01'"},
		{"DOBSlashes", []string{"dob", `"1980/02/01"`}, "Invalid DOB: '1980/02/01'"},
		{"DOBTrailing", []string{"dob", `"1980-02-01 "`}, "Invalid DOB: '1980-02-01 '"},
		{"DOBHourOnly", []string{"dob", `"1980-02-01T10"`}, "Invalid DOB: '1980-02-01T10'"},
		{"DOBHour24", []string{"dob", `"1980-02-01T24:00"`}, "Invalid DOB: '1980-02-01T24:00'"},
		{"DOBSecond60", []string{"dob", `"1980-02-01T10:00:60"`}, "Invalid DOB: '1980-02-01T10:00:60'"},
		{"DOBFraction10", []string{"dob", `"1980-02-01T10:00:00.1234567890"`}, "Invalid DOB: '1980-02-01T10:00:00.1234567890'"},
		{"DOBEmptyFraction", []string{"dob", `"1980-02-01T10:00:00."`}, "Invalid DOB: '1980-02-01T10:00:00.'"},
		{"DOBZone24", []string{"dob", `"1980-02-01T10:00+24:00"`}, "Invalid DOB: '1980-02-01T10:00+24:00'"},
		{"DOBZoneShort", []string{"dob", `"1980-02-01T10:00+01"`}, "Invalid DOB: '1980-02-01T10:00+01'"},
		{"DOBZoneAfterDate", []string{"dob", `"1980-02-01Z"`}, "Invalid DOB: '1980-02-01Z'"},
		{"DOBNewline", []string{"dob", `"1980-02-01\n"`}, `Invalid DOB: '1980-02-01\n'`},
		{"DOBLeapDay2000", []string{"dob", `"2000-02-29"`}, ""},
		{"DOBYear0000", []string{"dob", `"0000-01-01"`}, ""},
		{"DOBYear0000LeapDay", []string{"dob", `"0000-02-29T12:00Z"`}, ""},
		{"DOBYear0000Feb30", []string{"dob", `"0000-02-30"`}, "Invalid DOB: '0000-02-30'"},
		{"DOBZoneZ", []string{"dob", `"1980-02-01t10:00:00,5z"`}, ""},
		{"DOBZoneNoColon", []string{"dob", `"1980-02-01T10:00-0530"`}, ""},
		{"DOBZoneMax", []string{"dob", `"1980-02-01T10:00:00.123456789+23:59"`}, ""},
		{"DOBZoneMinute60", []string{"dob", `"1980-02-01T10:00+01:60"`}, "Invalid DOB: '1980-02-01T10:00+01:60'"},
		{"DOBZoneTwice", []string{"dob", `"1980-02-01T10:00Zz"`}, "Invalid DOB: '1980-02-01T10:00Zz'"},
		{"EmailOK", []string{"email", `"ann.smith+x@mail.example.co.uk"`}, ""},
		{"EmailUpper", []string{"email", `"ANN@EXAMPLE.COM"`}, ""},
		{"EmailApostrophe", []string{"email", `"o'neil@example.org"`}, ""},
		{"Email255", []string{"email", `"` + long + `"`}, ""},
		{"Email256", []string{"email", `"a` + long + `"`}, "Bad e-mail address: 'a" + long + "'"},
		{"EmailNoAt", []string{"email", `"email"`}, "Bad e-mail address: 'email'"},
		{"EmailShortTLD", []string{"email", `"a@b.c"`}, "Bad e-mail address: 'a@b.c'"},
		{"EmailNoDot", []string{"email", `"o'neil@localhost"`}, `Bad e-mail address: "o'neil@localhost"`},
		{"EmailSpace", []string{"email", `"a b@c.de"`}, "Bad e-mail address: 'a b@c.de'"},
		{"EmailNewline", []string{"email", `"a@b.de\n"`}, `Bad e-mail address: 'a@b.de\n'`},
		{"EmailTwoAt", []string{"email", `"a@b@c.de"`}, "Bad e-mail address: 'a@b@c.de'"},
		{"FinalizingTrue", []string{"finalizing", "true"}, ""},
		{"FinalizingInt", []string{"finalizing", "123"}, "Bad 'finalizing' value: 123"},
		{"FinalizingOne", []string{"finalizing", "1"}, "Bad 'finalizing' value: 1"},
		{"FinalizingNull", []string{"finalizing", "null"}, "Bad 'finalizing' value: None"},
		{"FinalizingString", []string{"finalizing", `"true"`}, "Bad 'finalizing' value: 'true'"},
		{"FinalizingMissing", []string{"finalizing", "-"}, "Missing 'finalizing' JSON key"},
		{"UnknownKey", []string{"foobar", "123"}, "Unknown JSON key: 'foobar'"},
		{"UnknownKeyCase", []string{"Forename", `"Ann"`}, "Unknown JSON key: 'Forename'"},
		{"UnknownKeyIDNUM", []string{"IDNUM1", "5"}, "Unknown JSON key: 'IDNUM1'"},
		{"UnknownKeyOtherdetails", []string{"otherdetails", "null"}, "Unknown JSON key: 'otherdetails'"},
		{"UnknownKeyQuote", []string{"it's", "1"}, `Unknown JSON key: "it's"`},
		{"UnknownKeyEscapes", []string{`a\\b\"\t\u0001\u007f\u0085`, "1"}, `Unknown JSON key: 'a\\b"\t\x01\x7f\x85'`},
		{"UnknownKeyBothQuotes", []string{`a'b\"c`, "1"}, `Unknown JSON key: 'a\'b"c'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustMessage(t, list(ann(tt.kv...)), baseEnv(), tt.want)
		})
	}
}

func TestValidate_IDNums(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		want string
	}{
		{"Leading zeros", []string{"idnum1", "-", "idnum0001", "9999999999"}, ""},
		{"MaxInt64", []string{"idnum2", "9223372036854775807"}, ""},
		{"NegativeSuffix", []string{"idnum-1", "5"}, "Bad idnum key: 'idnum-1'"},
		{"PlusSuffix", []string{"idnum+1", "5"}, "Bad idnum key: 'idnum+1'"},
		{"EmptySuffix", []string{"idnum", "5"}, "Bad idnum key: 'idnum'"},
		{"LetterSuffix", []string{"idnumfoo", "5"}, "Bad idnum key: 'idnumfoo'"},
		{"SpaceSuffix", []string{"idnum1 ", "5"}, "Bad idnum key: 'idnum1 '"},
		{"NonASCIIDigit", []string{"idnum١", "5"}, "Bad idnum key: 'idnum١'"},
		{"Undefined", []string{"idnum3", "5"}, "Bad ID number type: 3"},
		{"Zero", []string{"idnum0", "5"}, "Bad ID number type: 0"},
		{"HugeType", []string{"idnum00099999999999999999999", "5"}, "Bad ID number type: 99999999999999999999"},
		{"Twice", []string{"idnum01", "9999999999"}, "More than one ID number supplied for ID number type 1"},
		{"TwiceBadValue", []string{"idnum01", "9999999999", "idnum1", `"x"`}, "More than one ID number supplied for ID number type 1"},
		{"String", []string{"idnum2", `"123"`}, "Bad ID number value: '123'"},
		{"Float", []string{"idnum2", "123.0"}, "Bad ID number value: 123.0"},
		{"Exponent", []string{"idnum2", "1e3"}, "Bad ID number value: 1000.0"},
		{"True", []string{"idnum2", "true"}, "Bad ID number value: True"},
		{"False", []string{"idnum2", "false"}, "Bad ID number value: False"},
		{"List", []string{"idnum2", "[1]"}, "Bad ID number value: [1]"},
		{"Dict", []string{"idnum2", `{"v":1}`}, "Bad ID number value: {'v': 1}"},
		{"Overflow", []string{"idnum2", "9223372036854775808"}, "Bad ID number value: 9223372036854775808"},
		{"NegativeOverflow", []string{"idnum2", "-9223372036854775809"}, "Bad ID number value: -9223372036854775809"},
		{"Null", []string{"idnum2", "null"}, "Bad ID number: IdNumReference(idnum_value=None, which_idnum=2)"},
		{"ZeroValue", []string{"idnum1", "0"}, "Bad ID number: IdNumReference(idnum_value=0, which_idnum=1)"},
		{"NegZeroValue", []string{"idnum1", "-0"}, "Bad ID number: IdNumReference(idnum_value=0, which_idnum=1)"},
		{"NegativeValue", []string{"idnum10", "-5"}, "Bad ID number: IdNumReference(idnum_value=-5, which_idnum=10)"},
		// validate_patients does not apply validation methods (uk_nhs_number).
		{"NotNHS", []string{"idnum1", "1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustMessage(t, list(ann(tt.kv...)), baseEnv(), tt.want)
		})
	}
}

func TestValidate_KeyOrder(t *testing.T) {
	tests := []struct {
		name, info, want string
	}{
		{"UnknownFirst", `[{"zzz":1,"sex":"Q","finalizing":false}]`, "Unknown JSON key: 'zzz'"},
		{"SexFirst", `[{"sex":"Q","zzz":1,"finalizing":false}]`, "Bad sex value: 'Q'"},
		{"SortedKeys", `[{"aaa":1,"idnum-1":2,"sex":"Q"}]`, "Unknown JSON key: 'aaa'"},
		{"IDKeyBeforeSex", `[{"idnum-1":2,"sex":"Q"}]`, "Bad idnum key: 'idnum-1'"},
		{"BadKeyBeforeMissingFinalizing", `[{"forename":"Ann","zzz":1}]`, "Unknown JSON key: 'zzz'"},
		{"FinalizingLast", `[{"sex":"F","idnum1":5,"finalizing":true}]`, ""},
		// A repeated key is checked at its first position with its last value.
		{"DuplicateLastWins", `[{"sex":"Q","idnum1":5,"sex":"F","finalizing":false}]`, ""},
		{"DuplicateFirstPosition", `[{"zzz":1,"sex":"Q","zzz":2,"finalizing":false}]`, "Unknown JSON key: 'zzz'"},
		{"DuplicateBadLast", `[{"sex":"F","email":null,"sex":"Q","finalizing":false}]`, "Bad sex value: 'Q'"},
		{"DuplicateIDNum", `[{"sex":"F","idnum1":0,"idnum1":5,"finalizing":false}]`, ""},
		// The first structural error stops everything, even after policy failures.
		{"StructuralAfterFailure", list(ann("idnum1", "-", "dob", "null"), ann("sex", `"Q"`)), "Bad sex value: 'Q'"},
		{"SecondPatient", list(ann(), `{"sex":"F"}`), "Missing 'finalizing' JSON key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustMessage(t, tt.info, baseEnv(), tt.want)
		})
	}
}
