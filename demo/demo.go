// Package demo fills an empty database with clearly fictional demo data, so that every
// page of a new install has something to show. It never touches a database holding data.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/inventory"
)

// Size says how much demo data to make.
type Size struct {
	Items int
}

// Small is the demo that `make run` loads: about 300 items.
var Small = Size{Items: 300}

// Passwords of the demo accounts, shown in the README.
const (
	StorePassword     = "demo-store-2026"
	TherapistPassword = "demo-therapist-2026"
)

// Users are the demo accounts.
var Users = []accounts.UserInput{
	{Email: "store@demo.kitloan", Name: "Sam Store", Role: accounts.Staff, Password: StorePassword},
	{Email: "ot.amara@demo.kitloan", Name: "Amara Okafor", Role: accounts.Therapist, Password: TherapistPassword},
	{Email: "ot.ben@demo.kitloan", Name: "Ben Hughes", Role: accounts.Therapist, Password: TherapistPassword},
	{Email: "ot.chloe@demo.kitloan", Name: "Chloé Martin", Role: accounts.Therapist, Password: TherapistPassword},
}

func ptr(n int) *int { return &n }

// Products is the demo catalogue: realistic lines from each category.
var Products = []inventory.ProductInput{
	{Name: "Adjustable classroom chair", Category: "Seating", Kind: "returnable", Manufacturer: "Sitwell", Model: "ClassFit", Size: "Size 1", ServiceIntervalDays: 365, MinAgeYears: ptr(3), MaxAgeYears: ptr(6)},
	{Name: "Adjustable classroom chair", Category: "Seating", Kind: "returnable", Manufacturer: "Sitwell", Model: "ClassFit", Size: "Size 2", ServiceIntervalDays: 365, MinAgeYears: ptr(5), MaxAgeYears: ptr(10)},
	{Name: "Adjustable classroom chair", Category: "Seating", Kind: "returnable", Manufacturer: "Sitwell", Model: "ClassFit", Size: "Size 3", ServiceIntervalDays: 365, MinAgeYears: ptr(9), MaxAgeYears: ptr(16)},
	{Name: "Floor sitter with tray", Category: "Seating", Kind: "returnable", Manufacturer: "Tumble Care", Model: "FloorPal", ServiceIntervalDays: 365},
	{Name: "Corner seat", Category: "Seating", Kind: "returnable", Manufacturer: "Tumble Care", Model: "Nook", ServiceIntervalDays: 365},
	{Name: "Wedge cushion", Category: "Seating", Kind: "returnable", Manufacturer: "Posture Plus", Size: "Small"},
	{Name: "Wedge cushion", Category: "Seating", Kind: "returnable", Manufacturer: "Posture Plus", Size: "Large"},
	{Name: "Height-adjustable feeding chair", Category: "Seating", Kind: "returnable", Manufacturer: "Sitwell", Model: "MealMate", ServiceIntervalDays: 365},
	{Name: "Footrest block set", Category: "Seating", Kind: "returnable", Manufacturer: "Posture Plus"},
	{Name: "Angled spoon", Category: "Cutlery", Kind: "consumable", Manufacturer: "GripEase", Size: "Left-handed", Stock: 40, ReorderLevel: 10},
	{Name: "Angled spoon", Category: "Cutlery", Kind: "consumable", Manufacturer: "GripEase", Size: "Right-handed", Stock: 55, ReorderLevel: 10},
	{Name: "Weighted spoon", Category: "Cutlery", Kind: "consumable", Manufacturer: "GripEase", Stock: 18, ReorderLevel: 6},
	{Name: "Weighted fork", Category: "Cutlery", Kind: "consumable", Manufacturer: "GripEase", Stock: 12, ReorderLevel: 6},
	{Name: "Rocker knife", Category: "Cutlery", Kind: "consumable", Manufacturer: "GripEase", Stock: 9, ReorderLevel: 5},
	{Name: "Scoop plate", Category: "Cutlery", Kind: "consumable", Manufacturer: "Dine Aid", Stock: 25, ReorderLevel: 8},
	{Name: "Non-slip mat", Category: "Cutlery", Kind: "consumable", Manufacturer: "Dine Aid", Size: "25 × 35 cm", Stock: 60, ReorderLevel: 15},
	{Name: "Built-up handle foam", Category: "Grips", Kind: "consumable", Manufacturer: "GripEase", Size: "Pack of 6", Stock: 30, ReorderLevel: 10},
	{Name: "Pencil grip, triangular", Category: "Grips", Kind: "consumable", Manufacturer: "WriteRight", Stock: 120, ReorderLevel: 30},
	{Name: "Pencil grip, crossover", Category: "Grips", Kind: "consumable", Manufacturer: "WriteRight", Stock: 80, ReorderLevel: 30},
	{Name: "Universal cuff", Category: "Grips", Kind: "consumable", Manufacturer: "GripEase", Stock: 14, ReorderLevel: 5},
	{Name: "Writing slope", Category: "Writing aids", Kind: "returnable", Manufacturer: "WriteRight", Model: "Slope 20°", NeedsDecontamination: boolPtr(false)},
	{Name: "Sloped desk board with clip", Category: "Writing aids", Kind: "returnable", Manufacturer: "WriteRight", NeedsDecontamination: boolPtr(false)},
	{Name: "Spring-loaded scissors", Category: "Writing aids", Kind: "consumable", Manufacturer: "WriteRight", Stock: 20, ReorderLevel: 6},
	{Name: "Raised-line paper pad", Category: "Writing aids", Kind: "consumable", Manufacturer: "WriteRight", Stock: 45, ReorderLevel: 10},
	{Name: "Bath seat with support", Category: "Bathing & toileting", Kind: "returnable", Manufacturer: "AquaCare", Model: "Splash", Size: "Small", ServiceIntervalDays: 365},
	{Name: "Bath seat with support", Category: "Bathing & toileting", Kind: "returnable", Manufacturer: "AquaCare", Model: "Splash", Size: "Medium", ServiceIntervalDays: 365},
	{Name: "Toilet frame", Category: "Bathing & toileting", Kind: "returnable", Manufacturer: "AquaCare", Model: "Frame 2", ServiceIntervalDays: 365},
	{Name: "Toilet seat reducer", Category: "Bathing & toileting", Kind: "returnable", Manufacturer: "AquaCare"},
	{Name: "Step stool", Category: "Bathing & toileting", Kind: "returnable", Manufacturer: "AquaCare"},
	{Name: "Bath lift", Category: "Bathing & toileting", Kind: "returnable", Manufacturer: "LiftRight", Model: "BL-200", ServiceIntervalDays: 182},
	{Name: "Mobile hoist", Category: "Mobility", Kind: "returnable", Manufacturer: "LiftRight", Model: "H-150", ServiceIntervalDays: 182},
	{Name: "Sling, full body", Category: "Mobility", Kind: "returnable", Manufacturer: "LiftRight", Size: "Child S", ServiceIntervalDays: 182},
	{Name: "Walking frame with seat", Category: "Mobility", Kind: "returnable", Manufacturer: "StrideOn", Size: "Junior", ServiceIntervalDays: 365},
	{Name: "Transfer board", Category: "Mobility", Kind: "returnable", Manufacturer: "StrideOn"},
	{Name: "Standing frame", Category: "Mobility", Kind: "returnable", Manufacturer: "StrideOn", Model: "Upright", ServiceIntervalDays: 365},
	{Name: "Weighted lap pad", Category: "Sensory", Kind: "returnable", Manufacturer: "CalmKids", Size: "1 kg"},
	{Name: "Wobble cushion", Category: "Sensory", Kind: "returnable", Manufacturer: "CalmKids"},
	{Name: "Ear defenders", Category: "Sensory", Kind: "consumable", Manufacturer: "CalmKids", Stock: 16, ReorderLevel: 5},
	{Name: "Chewable pencil topper", Category: "Sensory", Kind: "consumable", Manufacturer: "CalmKids", Stock: 50, ReorderLevel: 20},
	{Name: "Door-frame grab rail", Category: "Other", Kind: "returnable", Manufacturer: "HomeSafe"},
}

func boolPtr(b bool) *bool { return &b }

// Load fills the database with demo data when it holds none, and reports whether it did:
// the demo accounts and catalogue through the stores (so they are validated like any
// other), then items, children, loans and their history in proportion to size.Items.
func Load(ctx context.Context, d *db.DB, size Size) (bool, error) {
	empty, err := d.IsEmpty(ctx)
	if err != nil || !empty {
		return false, err
	}
	acc := accounts.NewStore(d)
	var therapists []int64
	var staffID int64
	for _, u := range Users {
		made, err := acc.CreateUser(ctx, u)
		if err != nil {
			return false, fmt.Errorf("demo user %s: %w", u.Email, err)
		}
		if made.Role == accounts.Therapist {
			therapists = append(therapists, made.ID)
		} else {
			staffID = made.ID
		}
	}
	inv := inventory.NewStore(d)
	var products []inventory.Product
	for _, in := range Products {
		p, err := inv.CreateProduct(ctx, in)
		if err != nil {
			return false, fmt.Errorf("demo product %s: %w", in.Name, err)
		}
		products = append(products, p)
	}
	g := &generator{rng: rand.New(rand.NewPCG(2026, 11)), fulfilRNG: rand.New(rand.NewPCG(2026, 12)), products: products,
		therapists: therapists, staff: staffID, now: d.Now()}
	if err := d.InTx(ctx, func(tx *db.Tx) error { return g.fill(tx, size.Items) }); err != nil {
		return false, fmt.Errorf("demo data: %w", err)
	}
	return true, nil
}
