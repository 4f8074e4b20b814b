package main

import (
	"context"
	"fmt"

	"github.com/tabletapi/tabletapi/internal/account"
)

func runGroupAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	up := f.String("upload-policy", "", "ID policy for uploads, e.g. \"sex AND ((forename AND surname AND dob) OR anyidnum)\"")
	fin := f.String("finalize-policy", "", "ID policy for finalizing (moving data off tablets)")
	desc := f.String("description", "", "description")
	pos, err := f.parse(args, e.getenv, 1, "NAME")
	if err != nil {
		return err
	}
	db, err := adminDB(ctx, f, e)
	if err != nil {
		return err
	}
	defer db.Close()
	g, err := account.NewStore(db, nil).AddGroup(ctx, account.Group{
		Name: pos[0], Description: nonEmpty(*desc), UploadPolicy: nonEmpty(*up), FinalizePolicy: nonEmpty(*fin),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "group %s added (id %d)\n", g.Name, g.ID)
	if *up == "" || *fin == "" {
		fmt.Fprintf(e.stderr, "tabletapi: %s: warning: a group without both ID policies accepts no patient; set --upload-policy and --finalize-policy\n", e.cmd.name)
	}
	return nil
}
