package main

import (
	"errors"
	"fmt"
	"io"

	"concierge/internal/openapi"
)

// openAPICommand prints the OpenAPI document of the staff API (`concierge openapi staff`, the
// one served at /api/v1/openapi.json) or of the guest API (`concierge openapi guest`, served at
// /API/V40/openapi.json), so that integrators and the linter in scripts/test can read it
// without a running server. It errors on a missing or unknown argument.
func openAPICommand(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: concierge openapi staff|guest")
	}
	var doc []byte
	var err error
	switch args[0] {
	case "staff":
		doc, err = openapi.Document()
	case "guest":
		doc, err = openapi.GuestDocument()
	default:
		return fmt.Errorf("openapi: unknown document %q (want staff or guest)", args[0])
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", doc)
	return err
}
