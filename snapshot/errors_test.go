package snapshot

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrorCodes(t *testing.T) {
	for c := ErrNotAStore; c <= ErrStoreLocked; c++ {
		require.True(t, strings.HasPrefix(c.String(), "Err"), "code %d has no name", int(c))
		err := wrapError(c, io.ErrUnexpectedEOF, "case %d", int(c))
		require.ErrorIs(t, err, c)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		var e *Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, c, e.Code)
		for other := ErrNotAStore; other <= ErrStoreLocked; other++ {
			if other != c {
				require.NotErrorIs(t, err, other)
			}
		}
	}
	require.Contains(t, ErrorCode(999).String(), "Unknown")
}
