package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/errs"
)

// roleChoice explains a role on the user form.
type roleChoice struct{ Name, Hint string }

var roleChoices = []roleChoice{
	{accounts.Admin, "everything, including users and settings"},
	{accounts.Staff, "store staff: inventory, requests, issue and return, maintenance, labels"},
	{accounts.Therapist, "their own children and requests; reads the catalogue"},
	{accounts.Viewer, "reports only"},
}

func (s *Server) handleUserList(c *gin.Context) {
	users, err := s.Accounts.Users(c.Request.Context(), "")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "users", &usersPage{Users: users})
}

// usersPage is pages/users.html: everyone who may sign in.
type usersPage struct {
	Layout
	Users []accounts.User
}

// userFormPage is pages/user_form.html: adding a user, or changing user Editing (0 when
// adding) and seeing their API tokens.
type userFormPage struct {
	Layout
	Form    accounts.UserInput
	Roles   []roleChoice
	Editing int64
	Tokens  []accounts.Token
}

func (s *Server) renderUserForm(c *gin.Context, status int, editing int64, form accounts.UserInput, err error) {
	page := &userFormPage{Layout: failedWith(err), Form: form, Roles: roleChoices, Editing: editing}
	if editing != 0 {
		tokens, terr := s.Accounts.Tokens(c.Request.Context(), editing)
		if terr != nil {
			s.fail(c, terr)
			return
		}
		page.Tokens = tokens
	}
	s.render(c, status, "user_form", page)
}

func (s *Server) handleUserNew(c *gin.Context) {
	s.renderUserForm(c, http.StatusOK, 0, accounts.UserInput{Role: accounts.Staff}, nil)
}

func (s *Server) handleUserCreate(c *gin.Context) {
	var in accounts.UserInput
	err := bindForm(c, &in)
	var u accounts.User
	if err == nil {
		u, err = s.Accounts.CreateUser(c.Request.Context(), in)
	}
	in.Password = ""
	if s.formFailed(c, err, func(st int) { s.renderUserForm(c, st, 0, in, err) }) {
		return
	}
	redirectWithFlash(c, "/users", u.Name+" added as "+u.Role+". Give them their password in person or by phone.")
}

func (s *Server) handleUserEdit(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.Accounts.User(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderUserForm(c, http.StatusOK, id, accounts.UserInput{Email: u.Email, Name: u.Name, Role: u.Role, Active: u.Active}, nil)
}

func (s *Server) handleUserUpdate(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var in accounts.UserInput
	err = bindForm(c, &in)
	if err == nil && id == user(c).ID && (!in.Active || in.Role != accounts.Admin) {
		err = errs.Field("role", "you cannot remove your own admin role or sign-in: ask another admin")
	}
	var u accounts.User
	if err == nil {
		u, err = s.Accounts.UpdateUser(c.Request.Context(), id, in)
	}
	in.Password = ""
	if s.formFailed(c, err, func(st int) { s.renderUserForm(c, st, id, in, err) }) {
		return
	}
	redirectWithFlash(c, "/users", "Changes to "+u.Name+" saved.")
}

func (s *Server) handleTokenRevoke(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	tid, err := idParam(c, "token")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.Accounts.RevokeToken(c.Request.Context(), id, tid); err != nil {
		s.fail(c, err)
		return
	}
	redirectWithFlash(c, "/users/"+strconv.FormatInt(id, 10)+"/edit", "Token revoked. Scripts using it can no longer sign in.")
}
