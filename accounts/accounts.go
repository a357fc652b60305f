// Package accounts holds users, their passwords, sign-in sessions and API tokens.
// Passwords are bcrypt hashes; session ids and API tokens are random and stored only as
// SHA-256 hashes, so a copy of the database cannot be used to sign in.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// Roles, from most to least access. See docs/DOMAIN.md §3.
const (
	Admin     = "admin"
	Staff     = "store"
	Therapist = "therapist"
	Viewer    = "viewer"
)

// Roles lists every role.
var Roles = []string{Admin, Staff, Therapist, Viewer}

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 12 * time.Hour

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// User is someone who signs in.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// Can reports whether the user has one of the roles.
func (u User) Can(roles ...string) bool {
	for _, r := range roles {
		if u.Role == r {
			return true
		}
	}
	return false
}

// UserInput creates or changes a user.
type UserInput struct {
	Email    string `json:"email" form:"email" validate:"required,max=200"`
	Name     string `json:"name" form:"name" validate:"required,max=200"`
	Role     string `json:"role" form:"role" validate:"required,oneof=admin store therapist viewer"`
	Password string `json:"password" form:"password"`
	Active   bool   `json:"active" form:"active"`
}

// validateUser checks a user's fields. Email addresses need only be name@domain: a
// service's own addresses (admin@localhost) have no dot in the domain.
func validateUser(in UserInput) error {
	if err := errs.Validate(in); err != nil {
		return err
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || !strings.Contains(in.Email, "@") {
		return errs.Field("email", "must be an email address like name@example.org")
	}
	return nil
}

// Store reads and changes accounts.
type Store struct {
	db *db.DB
	// HashCost is the bcrypt cost; tests lower it to keep the suite fast.
	HashCost int

	// tokens remembers recent API token look-ups for a few seconds: a scanner or script
	// sends the same token with every request, and the look-up would otherwise cost a
	// query each time. Revoking a token or changing a user empties it.
	tokenMu sync.Mutex
	tokens  map[string]cachedToken
}

type cachedToken struct {
	user    User
	expires time.Time
}

// tokenCacheTTL bounds how long a cached token is trusted without asking the database.
const tokenCacheTTL = 10 * time.Second

// NewStore returns an accounts store over d.
func NewStore(d *db.DB) *Store {
	return &Store{db: d, HashCost: bcrypt.DefaultCost, tokens: map[string]cachedToken{}}
}

// forgetTokens empties the token cache, so a revocation or a deactivation holds at once.
func (s *Store) forgetTokens() {
	s.tokenMu.Lock()
	clear(s.tokens)
	s.tokenMu.Unlock()
}

// commonPasswords are refused outright, whatever their length.
var commonPasswords = map[string]bool{
	"password123": true, "password1234": true, "1234567890": true, "12345678910": true, "qwertyuiop": true,
	"iloveyou123": true, "letmein1234": true, "welcome123": true, "administrator": true, "passw0rd123": true,
	"qwerty12345": true, "abcdefghij": true, "0987654321": true, "1111111111": true, "changeme123": true,
}

// CheckPassword says what is wrong with a new password, or returns nil.
func CheckPassword(pw string) error {
	// Characters, not bytes: five accented letters are not a ten-character password.
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return errs.Field("password", "must be at least 10 characters")
	}
	if len(pw) > 72 {
		return errs.Field("password", "must be at most 72 characters")
	}
	if commonPasswords[strings.ToLower(pw)] {
		return errs.Field("password", "is too common: choose a password that others would not guess")
	}
	return nil
}

// CreateUser adds a user with a password.
func (s *Store) CreateUser(ctx context.Context, in UserInput) (User, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	if err := validateUser(in); err != nil {
		return User{}, err
	}
	if err := CheckPassword(in.Password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.HashCost)
	if err != nil {
		return User{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM users WHERE email = ?`, in.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &errs.Error{Code: errs.Conflict, Message: "There is already a user with the email " + in.Email + ".",
				Fields: map[string]string{"email": "is already used by another user"}}
		}
		if err := tx.QueryRow(`INSERT INTO users (email, name, role, password_hash, active, created_at) VALUES (?, ?, ?, ?, 1, ?) RETURNING id`,
			in.Email, in.Name, in.Role, string(hash), tx.Stamp()).Scan(&id); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityUser, id, db.ActionCreated, map[string]any{"email": in.Email, "role": in.Role})
	})
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, id)
}

// UpdateUser changes a user's name, email, role and whether they may sign in, and their
// password when one is given. Signing a user out of every session follows deactivation.
func (s *Store) UpdateUser(ctx context.Context, id int64, in UserInput) (User, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	if err := validateUser(in); err != nil {
		return User{}, err
	}
	var hash []byte
	if in.Password != "" {
		if err := CheckPassword(in.Password); err != nil {
			return User{}, err
		}
		var err error
		if hash, err = bcrypt.GenerateFromPassword([]byte(in.Password), s.HashCost); err != nil {
			return User{}, err
		}
	}
	defer s.forgetTokens()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM users WHERE email = ? AND id <> ?`, in.Email, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &errs.Error{Code: errs.Conflict, Message: "There is already a user with the email " + in.Email + ".",
				Fields: map[string]string{"email": "is already used by another user"}}
		}
		res, err := tx.Exec(`UPDATE users SET email = ?, name = ?, role = ?, active = ? WHERE id = ?`, in.Email, in.Name, in.Role, in.Active, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Errorf(errs.NotFound, "There is no user %d.", id)
		}
		if hash != nil {
			if _, err := tx.Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, string(hash), id); err != nil {
				return err
			}
		}
		if !in.Active || hash != nil {
			if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		return db.RecordEvent(tx, db.EntityUser, id, db.ActionUpdated, map[string]any{"email": in.Email, "role": in.Role, "active": in.Active, "password_changed": hash != nil})
	})
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, id)
}

const userSelect = `SELECT id, email, name, role, active, created_at FROM users`

func scanUser(r interface{ Scan(...any) error }) (User, error) {
	var u User
	var created string
	err := r.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Active, &created)
	u.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return u, err
}

// User returns one user.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, userSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.Errorf(errs.NotFound, "There is no user %d.", id)
	}
	return u, err
}

// UserByEmail returns the user with the email, in any case.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, userSelect+` WHERE email = ?`, strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.Errorf(errs.NotFound, "There is no user with the email %s.", email)
	}
	return u, err
}

// Users lists users by name, optionally only those with one role.
func (s *Store) Users(ctx context.Context, role string) ([]User, error) {
	q, args := userSelect+` ORDER BY name COLLATE NOCASE`, []any{}
	if role != "" {
		q, args = userSelect+` WHERE role = ? ORDER BY name COLLATE NOCASE`, []any{role}
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers returns how many users there are.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// errBadSignIn is the one answer to a wrong email or password, so neither can be guessed apart.
var errBadSignIn = &errs.Error{Code: errs.Unauthorized, Message: "The email address or password is not right. Check them and try again.",
	Fields: map[string]string{"email": "check the email address and password"}}

// Authenticate checks an email and password and returns the active user they belong to.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	var hash string
	var id int64
	var active bool
	err := s.db.QueryRow(ctx, `SELECT id, password_hash, active FROM users WHERE email = ?`,
		strings.ToLower(strings.TrimSpace(email))).Scan(&id, &hash, &active)
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the time a real check would, so a missing account is not told apart by timing.
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, errBadSignIn
	}
	if err != nil {
		return User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || !active {
		return User{}, errBadSignIn
	}
	return s.User(ctx, id)
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("kitloan-timing-equaliser"), bcrypt.DefaultCost)

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Session is a signed-in browser.
type Session struct {
	User User
	CSRF string
}

// CreateSession starts a new session for the user and returns its secret id; a fresh id
// at every sign-in means a session id planted before sign-in is worth nothing.
func (s *Store) CreateSession(ctx context.Context, userID int64) (id string, sess Session, err error) {
	id = randomToken(32)
	csrf := randomToken(32)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(`DELETE FROM sessions WHERE expires_at < ?`, tx.Stamp()); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			hashToken(id), userID, csrf, tx.Stamp(), tx.Now.Add(SessionLifetime).UTC().Format(time.RFC3339))
		return err
	})
	if err != nil {
		return "", Session{}, err
	}
	u, err := s.User(ctx, userID)
	return id, Session{User: u, CSRF: csrf}, err
}

// SessionByID returns the live session with the secret id, for an active user.
func (s *Store) SessionByID(ctx context.Context, id string) (Session, error) {
	var sess Session
	var created string
	err := s.db.QueryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.active, u.created_at, s.csrf
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND u.active = 1`, hashToken(id), s.db.Now().UTC().Format(time.RFC3339)).
		Scan(&sess.User.ID, &sess.User.Email, &sess.User.Name, &sess.User.Role, &sess.User.Active, &created, &sess.CSRF)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, errs.Errorf(errs.Unauthorized, "Your session has ended. Sign in again.")
	}
	sess.User.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return sess, err
}

// DeleteSession ends a session on the server, so its cookie is worthless afterwards.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(`DELETE FROM sessions WHERE id_hash = ?`, hashToken(id))
		return err
	})
}

// Token is an API token's record; the secret itself is shown once, at creation.
type Token struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// CreateToken makes a new API token for the user and returns its secret.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string) (string, Token, error) {
	if len(name) > 100 {
		return "", Token{}, errs.Field("name", "must be at most 100 characters")
	}
	if err := errs.CheckText("name", name, false); err != nil {
		return "", Token{}, err
	}
	secret := "klt_" + randomToken(32)
	var t Token
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(`INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			userID, name, hashToken(secret), tx.Stamp()).Scan(&t.ID); err != nil {
			return err
		}
		t.UserID, t.Name, t.CreatedAt = userID, name, tx.Now
		return db.RecordEvent(tx, db.EntityUser, userID, db.ActionTokenCreated, map[string]any{"token_id": t.ID, "name": name})
	})
	return secret, t, err
}

// UserByToken returns the active user owning an unrevoked token.
func (s *Store) UserByToken(ctx context.Context, secret string) (User, error) {
	h := hashToken(secret)
	now := time.Now()
	s.tokenMu.Lock()
	c, ok := s.tokens[h]
	s.tokenMu.Unlock()
	if ok && now.Before(c.expires) {
		return c.user, nil
	}
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.active, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active = 1`, h))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.Errorf(errs.Unauthorized, "The API token is not valid or has been revoked.")
	}
	if err == nil {
		s.tokenMu.Lock()
		if len(s.tokens) > 10000 {
			clear(s.tokens)
		}
		s.tokens[h] = cachedToken{u, now.Add(tokenCacheTTL)}
		s.tokenMu.Unlock()
	}
	return u, err
}

// Tokens lists a user's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.db.Query(ctx, `SELECT id, user_id, name, created_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created string
		var revoked sql.NullString
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &created, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt, _ = time.Parse(time.RFC3339, created)
		if revoked.Valid {
			r, _ := time.Parse(time.RFC3339, revoked.String)
			t.RevokedAt = &r
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops a token working.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	defer s.forgetTokens()
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, tx.Stamp(), tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Errorf(errs.NotFound, "There is no live token %d for this user.", tokenID)
		}
		return db.RecordEvent(tx, db.EntityUser, userID, db.ActionTokenRevoked, map[string]any{"token_id": tokenID})
	})
}
