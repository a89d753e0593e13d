package mail

// Test is what the test mail says: the recipient's name and the app's.
type Test struct {
	Name    string
	AppName string
	BaseURL string
}
