// Package testclient is a typed Go client for the CamCOPS tablet wire
// protocol (PROTOCOL.md). It behaves exactly like the real CamCOPS tablet
// client: it encodes requests the same way (sorted keys, strict
// percent-encoding), parses replies with the client's line regexp, carries
// the session across a sequence and forgets it at the first failure, and
// encodes and decodes SQL-literal CSV values as the client does.
//
// End-to-end tests drive the server only through this package, so it
// imports none of the server's packages; it depends on the standard library
// alone.
//
// Do never treats a non-2xx status or a reply that is not in key:value form
// as an error of its own, because tests must inspect such replies; it
// returns an error only for transport failures. Reply.Err reports what the
// real client would report for a reply.
package testclient
